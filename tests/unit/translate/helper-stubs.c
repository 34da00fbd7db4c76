/*
 * hamt86 translator unit test: the helpers the test does not link (system
 * and x87/MMX rows: helpers-sys.def, helpers-fpu.def), as strong stubs that
 * stop the test if a TB ever calls one.  The translation side of every
 * family is linked (translator/gen-table.c names them all); the ALU and
 * core helpers are the real ones (alu-helper.c, cc-helper.c, translate.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include "core/cpu.h"
#include "translator/helpers.h"

#define HSTUB_0_0(n) void n(CPUX86State *e) {
#define HSTUB_0_1(n) void n(CPUX86State *e, uint32_t a) {
#define HSTUB_0_2(n) void n(CPUX86State *e, uint32_t a, uint32_t b) {
#define HSTUB_0_3(n) void n(CPUX86State *e, uint32_t a, uint32_t b, uint32_t c) {
#define HSTUB_0_4(n) void n(CPUX86State *e, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
#define HSTUB_1_0(n) uint32_t n(CPUX86State *e) {
#define HSTUB_1_1(n) uint32_t n(CPUX86State *e, uint32_t a) {
#define HSTUB_1_2(n) uint32_t n(CPUX86State *e, uint32_t a, uint32_t b) {
#define HSTUB_1_3(n) uint32_t n(CPUX86State *e, uint32_t a, uint32_t b, uint32_t c) {
#define HSTUB_1_4(n) uint32_t n(CPUX86State *e, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
#define HSTUB(r, a, n) HSTUB_##r##_##a(n)
#define DEF_HELPER(name, nargs, has_ret, flags) \
    HSTUB(has_ret, nargs, helper_##name) \
        fprintf(stderr, "helper %s not linked in the test\n", #name); abort(); }
#include "translator/helpers-sys.def"
#include "translator/helpers-fpu.def"
#undef DEF_HELPER
