# dnsblame - plain Makefile.
#   make            build/dnsblame
#   make sanitize   build/sanitize/dnsblame (ASan + UBSan)
#   make check      every test (installs missing Debian packages first)
#   make run        the main job on the bundled sample capture
CC ?= cc
BUILD ?= build
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SANITIZER ?=
OPT ?= -O2
# Link-time optimisation of the binary with gcc: the hot paths cross files
# (the tables' lookups, the parser, the model). The objects are fat, so
# the unit tests link them without it. Not with clang (its LTO objects are
# not fat) nor under a sanitizer: set LTO= to build without.
IS_CLANG := $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1))
LTO ?= $(if $(IS_CLANG)$(SANITIZER),,-flto=auto -ffat-lto-objects)

WARN = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith -Wcast-qual \
       -Wstrict-prototypes -Wmissing-prototypes -Wvla
CPPFLAGS += -D_DEFAULT_SOURCE -MMD -MP
CFLAGS += -std=c11 $(OPT) -g $(WARN)
ifneq ($(SANITIZER),)
CFLAGS += -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZER)
endif
GLIB_LIBS := $(shell pkg-config --libs gthread-2.0 2>/dev/null || echo -lgthread-2.0 -lglib-2.0)
MHD_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
ZLIB_LIBS := $(shell pkg-config --libs zlib 2>/dev/null || echo -lz)
ZSTD_LIBS := $(shell pkg-config --libs libzstd 2>/dev/null || echo -lzstd)
LDLIBS = -lnids -lnet $(GLIB_LIBS) -lpcap -lssl -lcrypto $(MHD_LIBS) $(ZLIB_LIBS) $(ZSTD_LIBS) -pthread -lm

SRC := $(wildcard common/*.c capture/*.c analyze/*.c report/*.c)
OBJ := $(SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all sanitize check check-fast unit deps run clean bench pcaps flood fuzz fuzz-build fuzz-replay \
	integration install uninstall

all: $(BUILD)/dnsblame

$(BUILD)/dnsblame: $(BUILD)/obj/main.o $(BUILD)/libdnsblame.a
	$(CC) $(OPT) $(LTO) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libdnsblame.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTO) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libdnsblame.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) -lcmocka

sanitize:
	$(MAKE) BUILD=build/sanitize SANITIZER=address,undefined OPT=-O1 all

deps:
	@sh .ci/deps.sh

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# Under a minute, no root: what to run before every commit.
check-fast: all unit
	sh tests/arch.sh
	sh tests/capture-tree.sh
	sh tests/format.sh
	$(MAKE) fuzz-replay
	sh tests/run-pcaps.sh build/dnsblame
	sh tests/progress.sh build/dnsblame
	python3 tests/json-doc.py build/dnsblame

check: deps
	$(MAKE) all
	sh tests/arch.sh
	sh tests/capture-tree.sh
	sh tests/capture-path.sh
	sh tests/format.sh
	$(MAKE) unit
	$(MAKE) BUILD=build/sanitize SANITIZER=address,undefined OPT=-O1 all unit
	$(MAKE) fuzz-replay
	sh tests/run-pcaps.sh build/dnsblame
	sh tests/run-pcaps.sh build/sanitize/dnsblame
	sh tests/live.sh build/dnsblame
	sh tests/lab/live_load.sh build/dnsblame
	sh tests/install.sh
	sh tests/report-scale.sh build/dnsblame
	sh tests/markdown.sh build/dnsblame
	python3 tests/json-doc.py build/dnsblame
	$(MAKE) flood
	sh tests/conformance.sh build/dnsblame
	python3 tests/lab/check.py build/dnsblame
	python3 tests/lab/load_check.py build/dnsblame
	$(MAKE) build/bench/genload
	build/bench/genload build/bench/check-load.pcap --packets 400000 --qps 4000 --seed 7 \
		--truth build/bench/check-load.truth.tsv
	python3 tests/bench/score.py --min 97 build/dnsblame build/bench/check-load.pcap \
		build/bench/check-load.truth.tsv
	$(MAKE) BUILD=build/tsan SANITIZER=thread OPT=-O1 all build/tsan/tests/common/test_handoff \
		build/tsan/tests/analyze/test_tally_apart build/tsan/tests/capture/test_source
	sh tests/tsan.sh build/tsan build/bench/check-load.pcap
	sh tests/evidence.sh build/dnsblame
	sh tests/progress.sh build/dnsblame
	python3 tests/dnssec-flip.py build/dnsblame
	sh tests/sanitize-corpus.sh build/sanitize/dnsblame
	sh tests/valgrind.sh build/dnsblame
	$(MAKE) CC=clang BUILD=build/clang all unit
	@echo "make check: all tests passed"

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary and the man page.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/dnsblame $(DESTDIR)$(BINDIR)/dnsblame
	install -m 644 docs/dnsblame.1 $(DESTDIR)$(MANDIR)/man1/dnsblame.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/dnsblame $(DESTDIR)$(MANDIR)/man1/dnsblame.1

# Real engines operators run beside dnsblame (Debian's prometheus,
# clickhouse-server, chromium for the HTML report),
# installed when missing; as root (network namespaces).
integration: deps all
	sh tests/integration/prometheus.sh build/dnsblame
	sh tests/integration/clickhouse.sh build/dnsblame
	sh tests/integration/html.sh build/dnsblame
	@echo "make integration: all tests passed"

run: deps all
	$(BUILD)/dnsblame -r pcaps/sample/resolver-mixed.pcap

pcaps:
	bash pcaps/foundation/make.sh
	bash pcaps/lab/make.sh

# Fuzzing (fuzz/): make fuzz [FUZZ_SECONDS=60]; make fuzz-replay (in check).
include fuzz/Makefile.rules

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(BUILD)/obj/main.d

$(BUILD)/bench/genload: tests/bench/genload.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< -lcrypto

$(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< -lpcap

flood: all $(BUILD)/bench/genpcap
	sh tests/hostile/flood.sh $(BUILD)/dnsblame

bench: deps
	$(MAKE) all $(BUILD)/bench/pcapread $(BUILD)/bench/genload
	BUILD=$(BUILD) sh tests/bench/run.sh
