# common/: code shared by at least two daemons, built into libcommon.a.
COMMON_SRCS := $(wildcard common/*.c)

$(OBJ)/libcommon.a: $(call objs,$(COMMON_SRCS))
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^
