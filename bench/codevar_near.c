/* codevar with the variable in its code page (bench/codevar.h). */
#define CODEVAR_NEAR 1
#include "codevar.h"

const char kernel_name[] = "codevar_near";
