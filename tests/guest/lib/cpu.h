/*
 * hamt86 guest test kernels: control registers, MSRs, CPUID and INVLPG
 * (header only, include after lib.h; pgt.h includes it).
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "lib.h"

#define CR0_PE   0x00000001u
#define CR0_WP   0x00010000u
#define CR0_PG   0x80000000u
#define CR4_PSE  0x00000010u
#define CR4_PAE  0x00000020u
#define CR4_PGE  0x00000080u
#define CR4_SMEP 0x00100000u
#define CR4_SMAP 0x00200000u
#define MSR_EFER 0xc0000080u
#define EFER_NXE 0x00000800u
#define EFL_AC   0x00040000u

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("movl %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("movl %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("movl %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("movl %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("movl %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr2(uint32_t v) { __asm__ volatile("movl %0, %%cr2" : : "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v) { __asm__ volatile("movl %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v) { __asm__ volatile("movl %0, %%cr4" : : "r"(v) : "memory"); }
static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

#endif
