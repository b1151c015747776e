#include "stack-impl.h"
#include "case.h"
#include "option-read.h"

#define STACK_MAX_LAYERS 64

/* The thickness range of a layer: 1 nm (a sputtered seed) to 10 mm (far past a flexible laminate); outside it the
   laminate's stiffness matrix loses all its digits. */
#define LAYER_MIN_UM 1e-3
#define LAYER_MAX_UM 1e4

/* Options block "Layer NAME": -layers_NAME_{thickness_um,material,elements} */
static PetscErrorCode LayerFromOptions(MPI_Comm comm, PetscInt default_elements, Layer *layer)
{
  char      prefix[STACK_MAX_NAME + 16], title[STACK_MAX_NAME + 32], where[PETSC_MAX_PATH_LEN + 320], key[256];
  PetscReal t_um = 0;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "layers_%s_", layer->name));
  PetscCall(PetscSNPrintf(title, sizeof(title), "Layer %s (docs/cases.md)", layer->name));
  layer->elements = default_elements;
  PetscOptionsBegin(comm, prefix, title, "fcclsim");
  PetscCall(OptionReal(PetscOptionsObject, "-thickness_um", "thickness, um; required", t_um, LAYER_MIN_UM, LAYER_MAX_UM, &t_um, &set));
  OptionKey(PetscOptionsObject, "-thickness_um", key, sizeof(key));
  PetscCall(OptionString(PetscOptionsObject, "-material", "material name: material_NAME_* keys of the case, or NAME.yaml in materials_dir; required", layer->material_name, layer->material_name, sizeof(layer->material_name), NULL));
  PetscCall(OptionInt(PetscOptionsObject, "-elements", "elements through the layer's thickness", layer->elements, 1, 64, &layer->elements, NULL));
  PetscOptionsEnd();
  OptionWhere(key, where, sizeof(where));
  PetscCheck(set || CaseHelp(), comm, PETSC_ERR_USER_INPUT, "%s: layer '%s' has no thickness: set %s (um)", CaseSource(), layer->name, key + 1);
  layer->thickness = t_um * 1e-6;
  PetscFunctionReturn(0);
}

PetscErrorCode StackCreateFromOptions(MPI_Comm comm, Stack *stack)
{
  Stack     s;
  char     *names[STACK_MAX_LAYERS];
  PetscInt  n = STACK_MAX_LAYERS, default_elements = 1;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Stack (docs/cases.md)", "fcclsim");
  PetscCall(OptionStringList(PetscOptionsObject, "-layers", "layer names, bottom (z = 0) to top; each has its layers_NAME_* keys", names, &n, &set));
  PetscCall(OptionInt(PetscOptionsObject, "-mesh_elements_per_layer", "default elements through each layer", default_elements, 1, 64, &default_elements, NULL));
  PetscOptionsEnd();
  if (!set && CaseHelp()) { /* -help without a case: the keys of a layer called NAME */
    PetscCall(PetscStrallocpy("NAME", &names[0]));
    n = 1;
  }
  PetscCheck(set || CaseHelp(), comm, PETSC_ERR_USER_INPUT, "%s: no layers: give a 'layers:' list (bottom to top) in the case, or -layers NAME,NAME,...", CaseSource());
  PetscCall(PetscNew(&s));
  s->comm = comm;
  s->n    = n;
  PetscCall(PetscCalloc1(n, &s->layer));
  PetscCall(PetscCalloc1(n + 1, &s->z));
  for (PetscInt i = 0; i < n; i++) {
    if (set) PetscCall(CaseCheckName(comm, "layer", "-layers", names[i]));
    for (PetscInt j = 0; j < i; j++) {
      PetscBool same;
      char      where[PETSC_MAX_PATH_LEN + 320];
      PetscCall(PetscStrcasecmp(names[i], s->layer[j].name, &same));
      OptionWhere("-layers", where, sizeof(where));
      PetscCheck(!same, comm, PETSC_ERR_USER_INPUT, "%s: layer name '%s' appears twice (names are case-insensitive); names must be unique", where, names[i]);
    }
    PetscCall(PetscStrncpy(s->layer[i].name, names[i], sizeof(s->layer[i].name)));
    PetscCall(PetscFree(names[i]));
    PetscCall(LayerFromOptions(comm, default_elements, &s->layer[i]));
    s->z[i + 1] = s->z[i] + s->layer[i].thickness;
  }
  *stack = s;
  PetscFunctionReturn(0);
}

/* A material's keys come from the case (and the command line) where it sets them, and from MATERIALS_DIR/NAME.yaml for
   the rest: the file is inserted under the case's keys. A material the case defines in full needs no file. */
PetscErrorCode StackLoadMaterials(Stack stack)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < stack->n; i++) {
    Layer    *layer = &stack->layer[i];
    char      key[256], file[PETSC_MAX_PATH_LEN], prefix[STACK_MAX_NAME + 16], where[PETSC_MAX_PATH_LEN + 320];
    PetscBool exists, inline_keys;

    PetscCall(PetscSNPrintf(key, sizeof(key), "-layers_%s_material", layer->name));
    OptionWhere(key, where, sizeof(where));
    if (CaseHelp() && !layer->material_name[0]) PetscCall(PetscStrncpy(layer->material_name, "NAME", sizeof(layer->material_name)));
    PetscCheck(layer->material_name[0], stack->comm, PETSC_ERR_USER_INPUT, "%s: layer '%s' has no material: set %s NAME (material_NAME_* keys, or NAME.yaml in %s)", CaseSource(), layer->name, key + 1, CaseMaterialsDir());
    PetscCall(CaseCheckName(stack->comm, "material", key, layer->material_name));
    for (PetscInt j = 0; j < i; j++) {
      PetscBool same;
      PetscCall(PetscStrcasecmp(layer->material_name, stack->layer[j].material_name, &same));
      if (same) {
        layer->material = stack->layer[j].material;
        break;
      }
    }
    if (layer->material) continue;
    PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s.yaml", CaseMaterialsDir(), layer->material_name));
    PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "material_%s_", layer->material_name));
    PetscCall(PetscTestFile(file, 'r', &exists));
    if (exists) PetscCall(CaseInsertFile(stack->comm, file, prefix));
    PetscCall(PetscSNPrintf(key, sizeof(key), "-material_%s_E_GPa", layer->material_name));
    PetscCall(PetscOptionsHasName(NULL, NULL, key, &inline_keys));
    PetscCheck(exists || inline_keys || CaseHelp(), stack->comm, PETSC_ERR_USER_INPUT, "%s = %s: unknown material: no file %s and no material_%s_* keys", where, layer->material_name, file, layer->material_name);
    PetscCall(MaterialCreateFromOptions(stack->comm, layer->material_name, exists ? file : CaseSource(), &layer->material));
  }
  PetscFunctionReturn(0);
}

PetscInt       StackSize(Stack stack) { return stack->n; }
const Layer   *StackLayer(Stack stack, PetscInt i) { return &stack->layer[i]; }
PetscReal      StackZ(Stack stack, PetscInt i) { return stack->z[i]; }
MPI_Comm       StackComm(Stack stack) { return stack->comm; }

PetscInt StackElementsThrough(Stack stack)
{
  PetscInt n = 0;

  for (PetscInt i = 0; i < stack->n; i++) n += stack->layer[i].elements;
  return n;
}

PetscErrorCode StackFindLayer(Stack stack, const char name[], PetscInt *index)
{
  PetscFunctionBeginUser;
  *index = -1;
  for (PetscInt i = 0; i < stack->n; i++) {
    PetscBool same;
    PetscCall(PetscStrcmp(name, stack->layer[i].name, &same));
    if (same) {
      *index = i;
      break;
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode StackView(Stack stack, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "Stack from %s, %" PetscInt_FMT " layers, %g um in all (bottom first):\n", CaseSource(), stack->n, (double)(stack->z[stack->n] * 1e6)));
  for (PetscInt i = 0; i < stack->n; i++) {
    const Layer *l = &stack->layer[i];
    PetscCall(PetscViewerASCIIPrintf(viewer, "  %-12s %-20s %8.3f um  z = %8.3f .. %8.3f um  %" PetscInt_FMT " element(s)\n", l->name, l->material_name[0] ? l->material_name : "-", (double)(l->thickness * 1e6), (double)(stack->z[i] * 1e6), (double)(stack->z[i + 1] * 1e6), l->elements));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode StackDestroy(Stack *stack)
{
  PetscFunctionBeginUser;
  if (!*stack) PetscFunctionReturn(0);
  /* Layers of one material share it; go top-down so a shared Material is freed once, by its first user. */
  for (PetscInt i = (*stack)->n - 1; i >= 0; i--) {
    PetscBool shared = PETSC_FALSE;
    for (PetscInt j = 0; j < i; j++) shared = (PetscBool)(shared || (*stack)->layer[j].material == (*stack)->layer[i].material);
    if (!shared) PetscCall(MaterialDestroy(&(*stack)->layer[i].material));
  }
  PetscCall(PetscFree((*stack)->layer));
  PetscCall(PetscFree((*stack)->z));
  PetscCall(PetscFree(*stack));
  PetscFunctionReturn(0);
}
