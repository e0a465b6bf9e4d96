// CVectorMath is header-only (include/CVectorMath.h: inline functions that compile into their
// Swift callers); this file exists because a C target needs a source file.
#include "CVectorMath.h"
