/* codevar with the variable on a page of its own (bench/codevar.h). */
#define CODEVAR_NEAR 0
#include "codevar.h"

const char kernel_name[] = "codevar_far";
