/*
 * hamt86 - host code buffer support for the generated emitters.
 */
#include "core/hostasm.h"
#include "core/os.h"

/* An emitter field did not fit: this is a backend bug, stop loudly. */
void hostasm_range_error(const char *insn, const char *field, long long value)
{
    os_fatal(70, "host assembler: %s: field %s out of range (%lld)", insn,
             field, value);
}
