# bookd/: the book daemon and the book engine library.
#   bookd/book*.c            the engine (no ring/config dependency): tools link these
#   bookd/ everything else   sync, quality, outputs and the daemon's main loop
BOOK_ENGINE_SRCS := $(wildcard bookd/book*.c)
# everything but main.c: what tests and mpreplay link (sync, quality, emit, crc)
BOOKD_LIB_SRCS := $(filter-out bookd/main.c,$(wildcard bookd/*.c))

$(eval $(call prog,bookd,$(BOOKD_LIB_SRCS) bookd/main.c,inih))
