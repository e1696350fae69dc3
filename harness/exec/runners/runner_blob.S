/* Embeds the Python runner into the binary, NUL-terminated, as
 *     extern const char jt_python_runner_source[];
 * so a copied or installed jouletrace never looks for it on disk and the
 * sandboxed child (an unprivileged user) never needs to read our tree.
 * The .incbin path is relative to the directory make runs in (the repo root).
 * -MMD does not record .incbin inputs: the Makefile names the .py as an
 * explicit prerequisite of this object. */
        .section .rodata
        .balign 16
        .globl  jt_python_runner_source
        .type   jt_python_runner_source, @object
jt_python_runner_source:
        .incbin "harness/exec/runners/python_runner.py"
        .byte   0
        .size   jt_python_runner_source, . - jt_python_runner_source

        /* no executable stack */
        .section .note.GNU-stack, "", @progbits
