/* Placeholder until the module lands later in this session; replaced wholesale. */
#include <stdio.h>
#include "commands/commands.h"
#include "jouletrace/common.h"
int jt_cmd_status(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "jouletrace: %s: unavailable in this build\n", argv[0]);
    return JT_EXIT_FAILURE;
}
