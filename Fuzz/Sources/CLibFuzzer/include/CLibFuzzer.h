#ifndef SGDYN_CLIBFUZZER_H
#define SGDYN_CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs with a main of their own (compiler-rt, LLVM 12 and later):
/// parses libFuzzer's command line and calls `callback` with every input. Linked in by
/// `-sanitize=fuzzer`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
