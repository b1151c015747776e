#include "stack.h"
#include "case.h"

#define STACK_MAX_LAYERS 256

static PetscErrorCode LayerFromOptions(MPI_Comm comm, const char source[], PetscInt default_elements, Layer *layer)
{
  char      key[PETSC_MAX_PATH_LEN];
  PetscReal t_um = 0;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(key, sizeof(key), "-layers_%s_thickness_um", layer->name));
  PetscCall(PetscOptionsGetReal(NULL, NULL, key, &t_um, &set));
  PetscCheck(set, comm, PETSC_ERR_USER_INPUT, "%s: layer '%s' has no thickness: set %s (micrometres, > 0)", source, layer->name, key);
  PetscCheck(t_um > 0 && PetscIsNormalReal(t_um), comm, PETSC_ERR_USER_INPUT, "%s: %s = %g is not allowed: a thickness must be > 0 um", source, key, (double)t_um);
  layer->thickness = t_um * 1e-6;

  layer->elements = default_elements;
  PetscCall(PetscSNPrintf(key, sizeof(key), "-layers_%s_elements", layer->name));
  PetscCall(PetscOptionsGetInt(NULL, NULL, key, &layer->elements, NULL));
  PetscCheck(layer->elements >= 1, comm, PETSC_ERR_USER_INPUT, "%s: %s = %" PetscInt_FMT " is not allowed: at least 1 element per layer", source, key, layer->elements);

  PetscCall(PetscSNPrintf(key, sizeof(key), "-layers_%s_material", layer->name));
  PetscCall(PetscOptionsGetString(NULL, NULL, key, layer->material_name, sizeof(layer->material_name), NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode StackCreateFromOptions(MPI_Comm comm, const char source[], Stack *stack)
{
  Stack     s;
  char     *names[STACK_MAX_LAYERS];
  PetscInt  n = STACK_MAX_LAYERS, default_elements = 1;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-layers", names, &n, &set));
  PetscCheck(set && n > 0, comm, PETSC_ERR_USER_INPUT, "%s: no layers: give -layers NAME,NAME,... (bottom to top), or a 'layers:' list in the case file", source);
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-mesh_elements_per_layer", &default_elements, NULL));
  PetscCheck(default_elements >= 1, comm, PETSC_ERR_USER_INPUT, "%s: -mesh_elements_per_layer = %" PetscInt_FMT " is not allowed: at least 1", source, default_elements);

  PetscCall(PetscNew(&s));
  PetscCall(PetscStrncpy(s->source, source, sizeof(s->source)));
  s->n = n;
  PetscCall(PetscCalloc1(n, &s->layer));
  PetscCall(PetscCalloc1(n + 1, &s->z));
  for (PetscInt i = 0; i < n; i++) {
    size_t len;
    PetscCall(PetscStrlen(names[i], &len));
    PetscCheck(len > 0 && len < STACK_MAX_NAME, comm, PETSC_ERR_USER_INPUT, "%s: layer %" PetscInt_FMT " of -layers has an empty or too long name (1 to %d characters)", source, i, STACK_MAX_NAME - 1);
    for (PetscInt j = 0; j < i; j++) {
      PetscBool same;
      PetscCall(PetscStrcmp(names[i], s->layer[j].name, &same));
      PetscCheck(!same, comm, PETSC_ERR_USER_INPUT, "%s: layer name '%s' appears twice in -layers: names must be unique", source, names[i]);
    }
    PetscCall(CaseCheckKeyName(comm, source, "layer", "-layers", names[i]));
    PetscCall(PetscStrncpy(s->layer[i].name, names[i], sizeof(s->layer[i].name)));
    PetscCall(PetscFree(names[i]));
    PetscCall(LayerFromOptions(comm, source, default_elements, &s->layer[i]));
    s->z[i + 1] = s->z[i] + s->layer[i].thickness;
  }
  *stack = s;
  PetscFunctionReturn(0);
}

/* A material is looked up first among the options already given (a case may define -material_NAME_* inline), then in
   MATERIALS_DIR/NAME.yaml. */
PetscErrorCode StackLoadMaterials(MPI_Comm comm, Stack stack, const char materials_dir[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < stack->n; i++) {
    Layer    *layer = &stack->layer[i];
    char      key[PETSC_MAX_PATH_LEN], file[PETSC_MAX_PATH_LEN], source[PETSC_MAX_PATH_LEN];
    PetscBool inline_definition, exists;

    PetscCheck(layer->material_name[0], comm, PETSC_ERR_USER_INPUT, "%s: layer '%s' has no material: set -layers_%s_material NAME (a file NAME.yaml in %s)", stack->source, layer->name, layer->name, materials_dir);
    PetscCall(PetscSNPrintf(key, sizeof(key), "-layers_%s_material", layer->name));
    PetscCall(CaseCheckKeyName(comm, stack->source, "material", key, layer->material_name));
    for (PetscInt j = 0; j < i; j++) {
      PetscBool same;
      PetscCall(PetscStrcmp(layer->material_name, stack->layer[j].material_name, &same));
      if (same) {
        layer->material = stack->layer[j].material;
        break;
      }
    }
    if (layer->material) continue;
    PetscCall(PetscSNPrintf(key, sizeof(key), "-material_%s_nu", layer->material_name));
    PetscCall(PetscOptionsHasName(NULL, NULL, key, &inline_definition));
    if (inline_definition) {
      PetscCall(PetscStrncpy(source, stack->source, sizeof(source)));
    } else {
      PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s.yaml", materials_dir, layer->material_name));
      PetscCall(PetscTestFile(file, 'r', &exists));
      PetscCheck(exists, comm, PETSC_ERR_USER_INPUT, "%s: -layers_%s_material %s: unknown material: no file %s and no -material_%s_* options", stack->source, layer->name, layer->material_name, file, layer->material_name);
      PetscCall(PetscOptionsInsertFileYAML(comm, NULL, file, PETSC_TRUE));
      PetscCall(PetscStrncpy(source, file, sizeof(source)));
    }
    PetscCall(MaterialCreateFromOptions(comm, layer->material_name, source, &layer->material));
  }
  PetscFunctionReturn(0);
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
  PetscCall(PetscViewerASCIIPrintf(viewer, "Stack from %s, %" PetscInt_FMT " layers, %g um in all (bottom first):\n", stack->source, stack->n, (double)(stack->z[stack->n] * 1e6)));
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
