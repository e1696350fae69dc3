/* Embeds the Python runner into the binary, as two NUL-terminated strings:
 *     extern const char jt_python_runner_loader[];   python_runner.py, the
 *         program on the child's command line (small);
 *     extern const char jt_python_runner_source[];   the runner's modules,
 *         each opened by a line "#@module NAME", sent to the loader over the
 *         command channel (docs/design.md "Runner protocol").
 * So a copied or installed jouletrace never looks for them on disk and the
 * sandboxed child (an unprivileged user) never needs to read our tree.
 * Every .py of this directory other than python_runner.py is listed below
 * once (test_pyrun_runner checks it, and that the copies are current).
 * The .incbin paths are relative to the directory make runs in (the repo
 * root). -MMD does not record .incbin inputs: the Makefile names the .py
 * files as explicit prerequisites of this object. */
        .section .rodata
        .balign 16
        .globl  jt_python_runner_loader
        .type   jt_python_runner_loader, @object
jt_python_runner_loader:
        .incbin "harness/exec/runners/python_runner.py"
        .byte   0
        .size   jt_python_runner_loader, . - jt_python_runner_loader

        .balign 16
        .globl  jt_python_runner_source
        .type   jt_python_runner_source, @object
jt_python_runner_source:
        .ascii  "#@module main\n"
        .incbin "harness/exec/runners/main.py"
        .ascii  "#@module replies\n"
        .incbin "harness/exec/runners/replies.py"
        .ascii  "#@module codec\n"
        .incbin "harness/exec/runners/codec.py"
        .ascii  "#@module assert_kinds\n"
        .incbin "harness/exec/runners/assert_kinds.py"
        .ascii  "#@module compare\n"
        .incbin "harness/exec/runners/compare.py"
        .ascii  "#@module prelude\n"
        .incbin "harness/exec/runners/prelude.py"
        .ascii  "#@module floor\n"
        .incbin "harness/exec/runners/floor.py"
        .ascii  "#@module call_runner\n"
        .incbin "harness/exec/runners/call_runner.py"
        .ascii  "#@module script_runner\n"
        .incbin "harness/exec/runners/script_runner.py"
        .ascii  "#@module supervise\n"
        .incbin "harness/exec/runners/supervise.py"
        .ascii  "#@module proof\n"
        .incbin "harness/exec/runners/proof.py"
        .ascii  "#@module judge\n"
        .incbin "harness/exec/runners/judge.py"
        .ascii  "#@module command_runner\n"
        .incbin "harness/exec/runners/command_runner.py"
        .byte   0
        .size   jt_python_runner_source, . - jt_python_runner_source

        /* no executable stack */
        .section .note.GNU-stack, "", @progbits
