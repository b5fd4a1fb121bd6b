/*
 * fuzz.h - the one entry point every harness in fuzz/ defines, as libFuzzer
 * expects it.  replay.c calls it for builds without libFuzzer.
 */
#ifndef DNSBLAME_FUZZ_H
#define DNSBLAME_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
