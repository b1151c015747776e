#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "option-read.h"
#include "case.h"

#define WHERE_LEN (PETSC_MAX_PATH_LEN + 320)

void OptionKey(PetscOptionItems *PetscOptionsObject, const char opt[], char key[], size_t len)
{
  (void)PetscSNPrintf(key, len, "-%s%s", PetscOptionsObject->prefix ? PetscOptionsObject->prefix : "", opt + 1);
}

void OptionWhere(const char key[], char where[], size_t len)
{
  char origin[PETSC_MAX_PATH_LEN + 16];

  CaseKeyOrigin(key, origin, sizeof(origin));
  (void)PetscSNPrintf(where, len, "%s: %s", origin, key + (key[0] == '-'));
}

/* The raw text of the key, NULL if it is absent; a key given without a value is an error unless allow_empty */
static PetscErrorCode RawValue(PetscOptionItems *PetscOptionsObject, const char opt[], PetscBool allow_empty, char key[], size_t klen, char where[], const char **value)
{
  PetscBool set;

  PetscFunctionBeginUser;
  OptionKey(PetscOptionsObject, opt, key, klen);
  OptionWhere(key, where, WHERE_LEN);
  *value = NULL;
  PetscCall(PetscOptionsFindPair(NULL, NULL, key, value, &set));
  if (!set) {
    *value = NULL;
    PetscFunctionReturn(0);
  }
  if (!*value) *value = "";
  PetscCheck(allow_empty || (*value)[0], PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s is given without a value", where);
  PetscFunctionReturn(0);
}

static PetscBool ParseReal(const char s[], PetscReal *v)
{
  char *end;

  errno = 0;
  *v    = (PetscReal)strtod(s, &end);
  while (*end && isspace((unsigned char)*end)) end++;
  return (PetscBool)(end != s && !*end && errno != ERANGE && isfinite((double)*v));
}

/* with the C library's %g (PETSc's adds a trailing '.') */
static void RangeText(PetscReal lo, PetscReal hi, char buf[], size_t len)
{
  if (lo <= PETSC_MIN_REAL && hi >= PETSC_MAX_REAL) (void)snprintf(buf, len, "any number");
  else if (hi >= PETSC_MAX_REAL) (void)snprintf(buf, len, "at least %g", (double)lo);
  else if (lo <= PETSC_MIN_REAL) (void)snprintf(buf, len, "at most %g", (double)hi);
  else (void)snprintf(buf, len, "%g to %g", (double)lo, (double)hi);
}

static PetscErrorCode CheckRealText(PetscOptionItems *PetscOptionsObject, const char where[], const char text[], const char raw[], PetscReal lo, PetscReal hi, PetscReal *v)
{
  char range[96];

  PetscFunctionBeginUser;
  RangeText(lo, hi, range, sizeof(range));
  PetscCheck(ParseReal(raw, v), PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %s: not a finite number (%s; %s)", where, raw, text, range);
  PetscCheck(CaseHelp() || (*v >= lo && *v <= hi), PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %s: must be %s (%s)", where, raw, range, text);
  PetscFunctionReturn(0);
}

PetscErrorCode OptionReal(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscReal dflt, PetscReal lo, PetscReal hi, PetscReal *value, PetscBool *set)
{
  char        key[256], where[WHERE_LEN], range[96];
  const char *raw;
  PetscReal   v;

  PetscFunctionBeginUser;
  PetscCall(RawValue(PetscOptionsObject, opt, PETSC_FALSE, key, sizeof(key), where, &raw));
  if (raw) PetscCall(CheckRealText(PetscOptionsObject, where, text, raw, lo, hi, &v));
  RangeText(lo, hi, range, sizeof(range));
  PetscCall(PetscOptionsReal_Private(PetscOptionsObject, opt, text, range, dflt, value, set));
  PetscFunctionReturn(0);
}

PetscErrorCode OptionInt(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscInt dflt, PetscInt lo, PetscInt hi, PetscInt *value, PetscBool *set)
{
  char        key[256], where[WHERE_LEN], range[96];
  const char *raw;

  PetscFunctionBeginUser;
  PetscCall(RawValue(PetscOptionsObject, opt, PETSC_FALSE, key, sizeof(key), where, &raw));
  if (hi == PETSC_MAX_INT) PetscCall(PetscSNPrintf(range, sizeof(range), "at least %" PetscInt_FMT, lo));
  else PetscCall(PetscSNPrintf(range, sizeof(range), "%" PetscInt_FMT " to %" PetscInt_FMT, lo, hi));
  if (raw) {
    char     *end;
    long long v;

    errno = 0;
    v     = strtoll(raw, &end, 10);
    while (*end && isspace((unsigned char)*end)) end++;
    PetscCheck(end != raw && !*end, PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %s: not a whole number (%s; %s)", where, raw, text, range);
    PetscCheck(CaseHelp() || (errno != ERANGE && v >= (long long)lo && v <= (long long)hi), PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %s: must be %s (%s)", where, raw, range, text);
    PetscCheck(errno != ERANGE && v >= PETSC_MIN_INT && v <= PETSC_MAX_INT, PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %s: too large a number (%s)", where, raw, range);
  }
  PetscCall(PetscOptionsInt_Private(PetscOptionsObject, opt, text, range, dflt, value, set, PETSC_MIN_INT, PETSC_MAX_INT));
  PetscFunctionReturn(0);
}

PetscErrorCode OptionBool(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscBool dflt, PetscBool *value, PetscBool *set)
{
  static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "1", "0", NULL};
  char                     key[256], where[WHERE_LEN];
  const char              *raw;

  PetscFunctionBeginUser;
  PetscCall(RawValue(PetscOptionsObject, opt, PETSC_TRUE, key, sizeof(key), where, &raw));
  if (raw && raw[0]) {
    PetscBool ok = PETSC_FALSE;
    for (const char *const *w = words; *w && !ok; w++) PetscCall(PetscStrcasecmp(raw, *w, &ok));
    PetscCheck(ok, PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %s: not a yes/no value; give true or false (%s)", where, raw, text);
  }
  PetscCall(PetscOptionsBool_Private(PetscOptionsObject, opt, text, "true or false", dflt, value, set));
  PetscFunctionReturn(0);
}

PetscErrorCode OptionChoice(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], const char *const names[], PetscInt dflt, PetscInt *value, PetscBool *set)
{
  char        key[256], where[WHERE_LEN], allowed[256] = "";
  const char *raw;
  PetscInt    n = 0;

  PetscFunctionBeginUser;
  for (; names[n]; n++) {
    PetscCall(PetscStrlcat(allowed, n ? ", " : "", sizeof(allowed)));
    PetscCall(PetscStrlcat(allowed, names[n], sizeof(allowed)));
  }
  PetscCall(RawValue(PetscOptionsObject, opt, PETSC_FALSE, key, sizeof(key), where, &raw));
  if (raw) {
    PetscInt  idx;
    PetscBool found;
    PetscCall(PetscEListFind(n, names, raw, &idx, &found));
    PetscCheck(found, PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %s: not one of %s (%s)", where, raw, allowed, text);
  }
  *value = dflt;
  PetscCall(PetscOptionsEList_Private(PetscOptionsObject, opt, text, allowed, names, n, names[dflt], value, set));
  PetscFunctionReturn(0);
}

PetscErrorCode OptionString(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], const char dflt[], char value[], size_t len, PetscBool *set)
{
  char        key[256], where[WHERE_LEN], *copy;
  const char *raw;

  PetscFunctionBeginUser;
  PetscCall(RawValue(PetscOptionsObject, opt, PETSC_FALSE, key, sizeof(key), where, &raw));
  PetscCheck(!raw || strlen(raw) < len, PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %.40s...: longer than %zu characters (%s)", where, raw, len - 1, text);
  PetscCall(PetscStrallocpy(dflt, &copy)); /* dflt may be value itself; value keeps it when the key is absent */
  PetscCall(PetscStrncpy(value, copy, len));
  PetscCall(PetscOptionsString_Private(PetscOptionsObject, opt, text, "text", copy, value, len, set));
  PetscCall(PetscFree(copy));
  PetscFunctionReturn(0);
}

/* Items of a comma-separated value; an empty item (",," or a trailing ',') is an error */
static PetscErrorCode CountItems(PetscOptionItems *PetscOptionsObject, const char where[], const char raw[], PetscInt max, const char text[])
{
  PetscInt n = 1;

  PetscFunctionBeginUser;
  for (const char *c = raw; *c; c++) {
    if (*c != ',') continue;
    PetscCheck(c != raw && c[1] && c[1] != ',', PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s = %s: an empty item in the list (%s)", where, raw, text);
    n++;
  }
  PetscCheck(n <= max, PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " items; at most %" PetscInt_FMT " are allowed (%s)", where, n, max, text);
  PetscFunctionReturn(0);
}

PetscErrorCode OptionStringList(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], char *value[], PetscInt *n, PetscBool *set)
{
  char        key[256], where[WHERE_LEN];
  const char *raw;
  PetscInt    max = *n;

  PetscFunctionBeginUser;
  PetscCall(RawValue(PetscOptionsObject, opt, PETSC_FALSE, key, sizeof(key), where, &raw));
  if (raw) PetscCall(CountItems(PetscOptionsObject, where, raw, max, text));
  PetscCall(PetscOptionsStringArray_Private(PetscOptionsObject, opt, text, "comma-separated list", value, n, set));
  PetscFunctionReturn(0);
}

PetscErrorCode OptionRealList(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscReal lo, PetscReal hi, PetscReal value[], PetscInt *n, PetscBool *set)
{
  char        key[256], where[WHERE_LEN], range[96];
  const char *raw;
  PetscInt    max = *n;

  PetscFunctionBeginUser;
  PetscCall(RawValue(PetscOptionsObject, opt, PETSC_FALSE, key, sizeof(key), where, &raw));
  if (raw) {
    PetscToken token;
    char      *item;
    PetscReal  v;
    PetscCall(CountItems(PetscOptionsObject, where, raw, max, text));
    PetscCall(PetscTokenCreate(raw, ',', &token));
    PetscCall(PetscTokenFind(token, &item));
    while (item) {
      PetscCall(CheckRealText(PetscOptionsObject, where, text, item, lo, hi, &v));
      PetscCall(PetscTokenFind(token, &item));
    }
    PetscCall(PetscTokenDestroy(&token));
  }
  RangeText(lo, hi, range, sizeof(range));
  PetscCall(PetscOptionsRealArray_Private(PetscOptionsObject, opt, text, range, value, n, set));
  PetscFunctionReturn(0);
}
