/*
 * page.c - the live page (page.html) compiled into the program, so mpctl
 * serves it with no files to install and no external assets.
 */
#include "mpctl.h"

__asm__(
    "  .section .rodata\n"
    "  .global page_html\n"
    "  .type page_html, @object\n"
    "page_html:\n"
    "  .incbin \"tools/mpctl/page.html\"\n"
    "  .byte 0\n"
    "page_html_end:\n"
    "  .global page_html_len\n"
    "  .type page_html_len, @object\n"
    "  .balign 4\n"
    "page_html_len:\n"
    "  .long page_html_end - page_html - 1\n"
    "  .previous\n");
