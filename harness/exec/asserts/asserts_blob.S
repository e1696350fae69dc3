/* Embeds the assert compiler into the binary as one NUL-terminated string:
 *     extern const char jt_asserts_compiler[];   compile_asserts.py, the
 *         program on the compiler child's command line (exec/asserts.c).
 * A blob of its own, apart from the runner's (runners/runner_blob.S): the
 * compiler never runs beside candidate code. The .incbin path is relative to
 * the directory make runs in (the repo root); the Makefile names the .py as a
 * prerequisite of this object (-MMD does not see .incbin). */
        .section .rodata
        .balign 16
        .globl  jt_asserts_compiler
        .type   jt_asserts_compiler, @object
jt_asserts_compiler:
        .incbin "harness/exec/asserts/compile_asserts.py"
        .byte   0
        .size   jt_asserts_compiler, . - jt_asserts_compiler

        /* no executable stack */
        .section .note.GNU-stack, "", @progbits
