#include <ctype.h>
#include <yaml.h>
#include "case.h"
#include "option-read.h"

/* Option names fcclsim owns; anything else belongs to PETSc (and PETSc's -options_left reports those). */
static const char *const case_namespaces[] = {"layers", "material_", "plate_", "mesh_", "model", "geometry", "curl_", "output", "process_", "steps", "pattern_", "solver_", "materials_dir", "fcclsim_debug", "displacement_", "checkpoint", "restart", NULL};

#define CASE_MAX_KEY      256 /* characters of a flattened key */
#define CASE_MAX_INCLUDES 8   /* files one file includes */
#define CASE_MAX_LEVELS   4   /* included files that include others */

typedef struct {
  char name[CASE_MAX_KEY]; /* lower case, no leading '-' */
  char origin[PETSC_MAX_PATH_LEN + 16];
} KeyOrigin;

static struct {
  char       source[PETSC_MAX_PATH_LEN];
  char       materials_dir[PETSC_MAX_PATH_LEN];
  PetscBool  help, loaded; /* loaded: the command line's keys are recorded */
  PetscInt   n, cap;
  KeyOrigin *key;
} reg = {"command line", "", PETSC_FALSE, PETSC_FALSE, 0, 0, NULL};

const char *CaseSource(void) { return reg.source; }
const char *CaseMaterialsDir(void) { return reg.materials_dir; }
PetscBool   CaseHelp(void) { return reg.help; }

static void Lower(const char in[], char out[], size_t len)
{
  size_t i = 0;

  if (in[0] == '-') in++;
  for (; in[i] && i + 1 < len; i++) out[i] = (char)tolower((unsigned char)in[i]);
  out[i] = 0;
}

static KeyOrigin *FindKey(const char name[])
{
  char lower[CASE_MAX_KEY];

  Lower(name, lower, sizeof(lower));
  for (PetscInt i = 0; i < reg.n; i++)
    if (!strcmp(reg.key[i].name, lower)) return &reg.key[i];
  return NULL;
}

static PetscErrorCode RecordKey(const char name[], const char origin[])
{
  KeyOrigin *k = FindKey(name);

  PetscFunctionBeginUser;
  if (!k) {
    if (reg.n == reg.cap) {
      KeyOrigin *more;
      reg.cap = reg.cap ? 2 * reg.cap : 64;
      PetscCall(PetscMalloc1(reg.cap, &more));
      if (reg.n) PetscCall(PetscArraycpy(more, reg.key, reg.n));
      PetscCall(PetscFree(reg.key));
      reg.key = more;
    }
    k = &reg.key[reg.n++];
    Lower(name, k->name, sizeof(k->name));
  }
  PetscCall(PetscStrncpy(k->origin, origin, sizeof(k->origin)));
  PetscFunctionReturn(0);
}

void CaseKeyOrigin(const char key[], char origin[], size_t len)
{
  const KeyOrigin *k = FindKey(key);

  /* before CaseLoad has recorded them, a key can only come from the command line (fcclsim_debug_errors) */
  (void)PetscStrncpy(origin, k ? k->origin : reg.loaded ? "default" : "command line", len);
}

/* name as seen from the folder of file: unchanged when absolute or when file has no folder */
static PetscErrorCode PathBeside(const char file[], const char name[], char path[], size_t len)
{
  const char *slash = strrchr(file, '/');

  PetscFunctionBeginUser;
  if (name[0] == '/' || !slash) PetscCall(PetscStrncpy(path, name, len));
  else PetscCall(PetscSNPrintf(path, len, "%.*s/%s", (int)(slash - file), file, name));
  PetscFunctionReturn(0);
}

PetscErrorCode CaseFilePath(const char key[], const char value[], char path[], size_t len)
{
  char  origin[PETSC_MAX_PATH_LEN + 32];
  char *colon;

  PetscFunctionBeginUser;
  CaseKeyOrigin(key, origin, sizeof(origin));
  colon = strrchr(origin, ':'); /* "FILE:LINE"; "command line" and "default" have no ':' */
  if (!colon) PetscCall(PetscStrncpy(path, value, len));
  else {
    *colon = 0;
    PetscCall(PathBeside(origin, value, path, len));
  }
  PetscFunctionReturn(0);
}

/* The whole file, read on rank 0 and broadcast, so that every rank checks the same text and fails alike */
static PetscErrorCode ReadFile(MPI_Comm comm, const char file[], char **text)
{
  PetscMPIInt rank;
  long        len = -1;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  *text = NULL;
  if (rank == 0) {
    FILE *fp = fopen(file, "rb");
    if (fp && !fseek(fp, 0, SEEK_END)) len = ftell(fp);
    if (fp && len >= 0 && len <= 16 * 1024 * 1024) {
      PetscCall(PetscMalloc1(len + 1, text));
      rewind(fp);
      if (fread(*text, 1, (size_t)len, fp) != (size_t)len) len = -1;
      else (*text)[len] = 0;
    } else if (len > 16 * 1024 * 1024) len = -2;
    if (fp) fclose(fp);
  }
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_LONG, 0, comm));
  PetscCheck(len != -2, comm, PETSC_ERR_USER_INPUT, "%s: the file is larger than 16 MB; a case or material file is a few kB", file);
  PetscCheck(len >= 0, comm, PETSC_ERR_USER_INPUT, "%s: no such file, or it cannot be read", file);
  if (rank) PetscCall(PetscMalloc1(len + 1, text));
  PetscCallMPI(MPI_Bcast(*text, (PetscMPIInt)len + 1, MPI_CHAR, 0, comm));
  PetscCheck(strlen(*text) == (size_t)len, comm, PETSC_ERR_USER_INPUT, "%s: the file holds a NUL byte; a case file is YAML text", file);
  PetscFunctionReturn(0);
}

/* A walk over a YAML document that makes PETSc's option names of it (PETSc's YAML options format: a map key becomes a
   prefix, a list of one-key maps becomes the comma-separated list of their keys plus options prefixed by each key,
   "<<" merges a map, "$$..." keys are dummies, "$$..: !include FILE" inserts FILE), checks it, and sets the options. */
typedef struct {
  MPI_Comm         comm;
  const char      *file, *required;
  yaml_document_t *doc;
  PetscInt         depth, nodes, keys;
  char             prefix[CASE_MAX_KEY];
  /* files this one includes, with the prefix at the include: walked after this file's own keys, which win */
  PetscInt         ninclude, level;
  char             include[CASE_MAX_INCLUDES][PETSC_MAX_PATH_LEN], include_prefix[CASE_MAX_INCLUDES][CASE_MAX_KEY];
  /* keys set by this file, lower case, with their lines: a key twice in one file is an error */
  PetscInt         n, cap;
  char           (*seen)[CASE_MAX_KEY];
  size_t          *seen_line;
} Walk;

#define LINE(node) ((size_t)(node)->start_mark.line + 1)
#define STR(node)  ((const char *)(node)->data.scalar.value)

static PetscErrorCode WalkMap(Walk *w, yaml_node_t *map);

static PetscErrorCode CountKeys(MPI_Comm comm, const char file[], PetscInt more)
{
  static PetscInt total = 0;

  PetscFunctionBeginUser;
  total += more;
  PetscCheck(total <= CASE_MAX_KEYS, comm, PETSC_ERR_USER_INPUT, "%s: with the command line and the materials, the case sets more than %d keys, which is more than PETSc's options database can hold; a case needs a few dozen", file, CASE_MAX_KEYS);
  PetscFunctionReturn(0);
}

static PetscErrorCode SetKey(Walk *w, const char key[], const char value[], size_t line)
{
  char   name[CASE_MAX_KEY + 1], lower[CASE_MAX_KEY], origin[PETSC_MAX_PATH_LEN + 16];
  size_t len;

  PetscFunctionBeginUser;
  PetscCall(PetscStrlen(key, &len));
  PetscCheck(len > 0, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: an empty key", w->file, line);
  PetscCheck(strlen(w->prefix) + len + 1 < CASE_MAX_KEY, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: key %s%s is longer than %d characters", w->file, line, w->prefix, key, CASE_MAX_KEY - 2);
  for (const char *c = key; *c; c++) PetscCheck(isalnum((unsigned char)*c) || *c == '_', w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: key '%s' holds '%c'; keys are letters, digits and '_'", w->file, line, key, *c);
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s%s", w->prefix, key));
  Lower(name, lower, sizeof(lower));
  if (w->required) {
    PetscBool ok;
    PetscCall(PetscStrbeginswith(lower, w->required, &ok));
    PetscCheck(ok, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: key %s is not allowed here: this file may set only %s* keys", w->file, line, lower, w->required);
  }
  for (PetscInt i = 0; i < w->n; i++) PetscCheck(strcmp(w->seen[i], lower), w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: key %s is given twice (first at line %zu); give it once", w->file, line, lower, w->seen_line[i]);
  if (w->n == w->cap) {
    char (*s)[CASE_MAX_KEY];
    size_t *l;
    w->cap = w->cap ? 2 * w->cap : 64;
    PetscCall(PetscMalloc2(w->cap, &s, w->cap, &l));
    if (w->n) {
      PetscCall(PetscArraycpy(s, w->seen, w->n));
      PetscCall(PetscArraycpy(l, w->seen_line, w->n));
    }
    PetscCall(PetscFree2(w->seen, w->seen_line));
    w->seen      = s;
    w->seen_line = l;
  }
  PetscCall(PetscStrncpy(w->seen[w->n], lower, CASE_MAX_KEY));
  w->seen_line[w->n++] = line;
  PetscCall(CountKeys(w->comm, w->file, 1));
  /* set by the command line, or by a file that includes this one: that value wins (the registry is asked, not the
     options database, which would count the question as a use and hide a misspelt key from CaseCheckUnusedKeys) */
  if (FindKey(name)) PetscFunctionReturn(0);
  PetscCall(PetscOptionsSetValue(NULL, name, value));
  PetscCall(PetscSNPrintf(origin, sizeof(origin), "%s:%zu", w->file, line));
  PetscCall(RecordKey(name, origin));
  PetscFunctionReturn(0);
}

static PetscErrorCode PushPrefix(Walk *w, const char key[], size_t line, size_t *mark)
{
  PetscFunctionBeginUser;
  *mark = strlen(w->prefix);
  PetscCheck(++w->depth <= CASE_MAX_DEPTH, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: the keys nest deeper than %d levels", w->file, line, CASE_MAX_DEPTH);
  PetscCheck(*mark + strlen(key) + 2 < CASE_MAX_KEY, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: key %s%s is longer than %d characters", w->file, line, w->prefix, key, CASE_MAX_KEY - 2);
  PetscCall(PetscStrlcat(w->prefix, key, sizeof(w->prefix)));
  PetscCall(PetscStrlcat(w->prefix, "_", sizeof(w->prefix)));
  PetscFunctionReturn(0);
}

static void PopPrefix(Walk *w, size_t mark)
{
  w->prefix[mark] = 0;
  w->depth--;
}

static PetscErrorCode CheckNode(Walk *w, yaml_node_t *node, size_t line)
{
  PetscFunctionBeginUser;
  PetscCheck(node, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: the YAML document is incomplete", w->file, line);
  /* aliases can make a short file expand exponentially */
  PetscCheck(++w->nodes <= 100 * CASE_MAX_KEYS, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: the document expands to more than %d values (aliases?)", w->file, line, 100 * CASE_MAX_KEYS);
  PetscFunctionReturn(0);
}

/* An included file's name, relative to the including file's folder unless absolute */
static PetscErrorCode IncludePath(Walk *w, const char name[], char path[])
{
  PetscFunctionBeginUser;
  PetscCall(PathBeside(w->file, name, path, PETSC_MAX_PATH_LEN));
  PetscFunctionReturn(0);
}

/* key: [a, b] or key: [ {a: {...}}, {b: {...}} ]: one option, the comma-separated list; one-key maps also give their
   options under the prefix key_ */
static PetscErrorCode WalkList(Walk *w, const char key[], yaml_node_t *list)
{
  char  *joined;
  size_t len = 1, used = 0;

  PetscFunctionBeginUser;
  PetscCheck(list->data.sequence.items.top > list->data.sequence.items.start, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: %s%s is an empty list; give at least one item, or leave the key out", w->file, LINE(list), w->prefix, key);
  for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
    yaml_node_t *item = yaml_document_get_node(w->doc, *it), *k = NULL;
    PetscCall(CheckNode(w, item, LINE(list)));
    if (item->type == YAML_MAPPING_NODE && item->data.mapping.pairs.top > item->data.mapping.pairs.start) k = yaml_document_get_node(w->doc, item->data.mapping.pairs.start->key);
    if (item->type == YAML_SCALAR_NODE) len += item->data.scalar.length + 1;
    else if (k && k->type == YAML_SCALAR_NODE) len += k->data.scalar.length + 1;
  }
  PetscCall(PetscCalloc1(len, &joined));
  for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
    yaml_node_t *item = yaml_document_get_node(w->doc, *it);
    const char  *name = NULL;

    if (item->type == YAML_SCALAR_NODE) name = STR(item);
    else if (item->type == YAML_MAPPING_NODE) {
      yaml_node_pair_t *pair = item->data.mapping.pairs.start;
      yaml_node_t      *k;
      size_t            mark;

      PetscCheck(item->data.mapping.pairs.top - pair == 1, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: an item of the list %s%s must be a single name with its keys (NAME: {...}); this one has %d", w->file, LINE(item), w->prefix, key, (int)(item->data.mapping.pairs.top - pair));
      k = yaml_document_get_node(w->doc, pair->key);
      PetscCall(CheckNode(w, k, LINE(item)));
      PetscCheck(k->type == YAML_SCALAR_NODE, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: an item of the list %s%s must be named by a plain name", w->file, LINE(item), w->prefix, key);
      name = STR(k);
      PetscCall(PushPrefix(w, key, LINE(k), &mark));
      PetscCall(WalkMap(w, item));
      PopPrefix(w, mark);
    } else SETERRQ(w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: an item of the list %s%s is itself a list; give a value or NAME: {...}", w->file, LINE(item), w->prefix, key);
    PetscCheck(!strchr(name, ','), w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: the item '%s' of %s%s holds ',', which would split it in two: names are letters, digits and '_'", w->file, LINE(item), name, w->prefix, key);
    if (!name[0]) continue;
    if (used) joined[used++] = ',';
    PetscCall(PetscStrncpy(joined + used, name, len - used));
    used += strlen(name);
  }
  PetscCall(SetKey(w, key, joined, LINE(list)));
  PetscCall(PetscFree(joined));
  PetscFunctionReturn(0);
}

static PetscErrorCode InsertText(Walk *w, const char text[]);

static PetscErrorCode WalkMap(Walk *w, yaml_node_t *map)
{
  PetscFunctionBeginUser;
  for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
    yaml_node_t *k = yaml_document_get_node(w->doc, pair->key), *v = yaml_document_get_node(w->doc, pair->value);
    const char  *key;

    PetscCall(CheckNode(w, k, LINE(map)));
    PetscCall(CheckNode(w, v, LINE(k)));
    PetscCheck(k->type == YAML_SCALAR_NODE, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: a key must be a plain name, not a list or a map", w->file, LINE(k));
    key = STR(k);
    if (!strcmp(key, "<<")) { /* a merge key: the map (or maps) it names, without a prefix */
      if (v->type == YAML_MAPPING_NODE) PetscCall(WalkMap(w, v));
      else {
        PetscCheck(v->type == YAML_SEQUENCE_NODE, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: '<<' merges a map or a list of maps", w->file, LINE(k));
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
          yaml_node_t *m = yaml_document_get_node(w->doc, *it);
          PetscCall(CheckNode(w, m, LINE(v)));
          PetscCheck(m->type == YAML_MAPPING_NODE, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: '<<' merges a map or a list of maps", w->file, LINE(m));
          PetscCall(WalkMap(w, m));
        }
      }
      continue;
    }
    if (!strncmp(key, "$$", 2)) { /* a dummy key (anchors), or a file to include once this file's keys are set */
      if (v->tag && strstr((const char *)v->tag, "!include")) {
        PetscCheck(v->type == YAML_SCALAR_NODE && v->data.scalar.length, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: !include takes a file name", w->file, LINE(v));
        PetscCheck(w->ninclude < CASE_MAX_INCLUDES, w->comm, PETSC_ERR_USER_INPUT, "%s:%zu: more than %d included files", w->file, LINE(v), CASE_MAX_INCLUDES);
        PetscCall(IncludePath(w, STR(v), w->include[w->ninclude]));
        PetscCall(PetscStrncpy(w->include_prefix[w->ninclude], w->prefix, sizeof(w->include_prefix[0])));
        w->ninclude++;
      }
      continue;
    }
    if (v->type == YAML_SCALAR_NODE) PetscCall(SetKey(w, key, STR(v), LINE(k)));
    else if (v->type == YAML_SEQUENCE_NODE) PetscCall(WalkList(w, key, v));
    else {
      size_t mark;
      PetscCall(PushPrefix(w, key, LINE(k), &mark));
      PetscCall(WalkMap(w, v));
      PopPrefix(w, mark);
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode InsertText(Walk *w, const char text[])
{
  yaml_parser_t   parser;
  yaml_document_t doc;

  PetscFunctionBeginUser;
  PetscCheck(yaml_parser_initialize(&parser), w->comm, PETSC_ERR_MEM, "cannot initialize the YAML parser");
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
  for (;;) {
    yaml_node_t   *root;
    PetscErrorCode ierr;

    if (!yaml_parser_load(&parser, &doc)) {
      char msg[512];
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s:%zu:%zu: YAML syntax error: %s%s%s", w->file, parser.problem_mark.line + 1, parser.problem_mark.column + 1, parser.problem ? parser.problem : "unreadable", parser.context ? " " : "", parser.context ? parser.context : ""));
      yaml_parser_delete(&parser);
      SETERRQ(w->comm, PETSC_ERR_USER_INPUT, "%s", msg);
    }
    root = yaml_document_get_root_node(&doc);
    if (!root) {
      yaml_document_delete(&doc);
      break;
    }
    w->doc = &doc;
    if (root->type == YAML_MAPPING_NODE) ierr = WalkMap(w, root);
    else if (root->type == YAML_SCALAR_NODE && !root->data.scalar.length) ierr = 0; /* an empty document */
    else ierr = PetscError(w->comm, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_USER_INPUT, PETSC_ERROR_INITIAL, "%s:%zu: the file must be a map of keys (key: value), not a %s", w->file, LINE(root), root->type == YAML_SEQUENCE_NODE ? "list" : "single value");
    yaml_document_delete(&doc);
    if (ierr) yaml_parser_delete(&parser);
    PetscCall(ierr);
  }
  yaml_parser_delete(&parser);
  PetscCall(PetscFree2(w->seen, w->seen_line));
  for (PetscInt i = 0; i < w->ninclude; i++) { /* under this file's keys: existing options are kept */
    Walk *inc;
    char *sub;
    PetscCheck(w->level < CASE_MAX_LEVELS, w->comm, PETSC_ERR_USER_INPUT, "%s: includes nest deeper than %d files (a file including itself?)", w->file, CASE_MAX_LEVELS);
    PetscCall(PetscCalloc1(1, &inc));
    inc->comm  = w->comm;
    inc->file  = w->include[i];
    inc->required = w->required;
    inc->level = w->level + 1;
    inc->nodes = w->nodes;
    PetscCall(PetscStrncpy(inc->prefix, w->include_prefix[i], sizeof(inc->prefix)));
    PetscCall(ReadFile(w->comm, inc->file, &sub));
    PetscCall(InsertText(inc, sub));
    w->nodes = inc->nodes;
    PetscCall(PetscFree(sub));
    PetscCall(PetscFree(inc));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode CaseInsertFile(MPI_Comm comm, const char file[], const char required_prefix[])
{
  Walk  w;
  char *text;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&w, sizeof(w)));
  w.comm          = comm;
  w.file          = file;
  w.required      = required_prefix;
  PetscCall(ReadFile(comm, file, &text));
  PetscCall(InsertText(&w, text));
  PetscCall(PetscFree(text));
  PetscFunctionReturn(0);
}

/* The command line's keys: their origin, and their count against CASE_MAX_KEYS */
static PetscErrorCode RecordCommandLine(MPI_Comm comm, int argc, char **argv)
{
  PetscInt n = 0;

  PetscFunctionBeginUser;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] != '-' || !isalpha((unsigned char)argv[i][1])) continue; /* a value, or a negative number */
    PetscCall(RecordKey(argv[i], "command line"));
    n++;
  }
  PetscCall(CountKeys(comm, "the command line", n));
  PetscFunctionReturn(0);
}

PetscErrorCode CaseLoad(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  char      file[PETSC_MAX_PATH_LEN] = "";
  PetscBool set, exists;

  PetscFunctionBeginUser;
  reg.help = help;
  PetscCall(RecordCommandLine(comm, argc, argv));
  reg.loaded = PETSC_TRUE;
  PetscCall(PetscTestDirectory(FCCLSIM_SOURCE_MATERIALS_DIR, 'r', &exists));
  PetscCall(PetscStrncpy(reg.materials_dir, exists ? FCCLSIM_SOURCE_MATERIALS_DIR : FCCLSIM_INSTALL_MATERIALS_DIR, sizeof(reg.materials_dir)));
  PetscOptionsBegin(comm, NULL, "Case (docs/cases.md)", "fcclsim");
  PetscCall(OptionString(PetscOptionsObject, "-case", "the case: a YAML options file; command-line options override its keys", file, file, sizeof(file), &set));
  PetscCall(OptionString(PetscOptionsObject, "-materials_dir", "where material NAME is looked up as NAME.yaml", reg.materials_dir, reg.materials_dir, sizeof(reg.materials_dir), NULL));
  PetscOptionsEnd();
  if (!set) PetscFunctionReturn(0);
  PetscCall(PetscStrncpy(reg.source, file, sizeof(reg.source)));
  PetscCall(CaseInsertFile(comm, file, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode CaseCheckUnusedKeys(MPI_Comm comm, const char *const namespaces[])
{
  PetscInt n;
  char   **names, **values;

  PetscFunctionBeginUser;
  if (reg.help) PetscFunctionReturn(0);
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++) {
    for (const char *const *ns = namespaces ? namespaces : case_namespaces; *ns; ns++) {
      PetscBool ours;
      char      origin[PETSC_MAX_PATH_LEN + 16];
      PetscCall(PetscStrbeginswith(names[i], *ns, &ours));
      if (!ours) continue;
      CaseKeyOrigin(names[i], origin, sizeof(origin));
      SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: unknown key %s (= %s): no such option; `fcclsim -help` and docs/cases.md list the keys", origin, names[i], values[i] ? values[i] : "");
    }
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(0);
}

PetscErrorCode CaseCheckName(MPI_Comm comm, const char kind[], const char key[], const char name[])
{
  char   origin[PETSC_MAX_PATH_LEN + 16];
  size_t len = strlen(name);

  PetscFunctionBeginUser;
  CaseKeyOrigin(key, origin, sizeof(origin));
  PetscCheck(len > 0 && len <= CASE_MAX_NAME, comm, PETSC_ERR_USER_INPUT, "%s: %s: %s name '%.40s%s' has %zu characters; give 1 to %d", origin, key + (key[0] == '-'), kind, name, len > 40 ? "..." : "", len, CASE_MAX_NAME);
  PetscCheck(isalpha((unsigned char)name[0]), comm, PETSC_ERR_USER_INPUT, "%s: %s: %s name '%s' must begin with a letter", origin, key + (key[0] == '-'), kind, name);
  for (const char *c = name; *c; c++) {
    PetscCheck(isalnum((unsigned char)*c) || *c == '_', comm, PETSC_ERR_USER_INPUT, "%s: %s: %s name '%s' holds '%c'; names are letters, digits and '_'", origin, key + (key[0] == '-'), kind, name, *c);
    PetscCheck(!(c[0] == '_' && isdigit((unsigned char)c[1])), comm, PETSC_ERR_USER_INPUT, "%s: %s: %s name '%s' has '_' followed by a digit, which PETSc's options database cannot keep apart from other names' keys; rename it (e.g. name1, not name_1)", origin, key + (key[0] == '-'), kind, name);
  }
  PetscFunctionReturn(0);
}
