# dmil developer commands. On a fresh Debian/Ubuntu machine with R:
#   make demo   installs what is missing, builds and installs dmil, runs the demo
#   make test   the same installation, then every test (C core and R)
R       ?= R
RSCRIPT ?= Rscript
CC      := $(shell $(R) CMD config CC 2>/dev/null || echo cc)

CORE_SRC := $(wildcard src/core/*.c)
CORE_HDR := $(wildcard src/core/*.h)

.PHONY: all deps sysdeps rdeps install demo test core-test r-test check check-cran sanitize valgrind bench bench-suite bench-torch docs clean

all: install

sysdeps:
	@sh .ci/sysdeps.sh

rdeps: sysdeps
	@$(RSCRIPT) .ci/rdeps.R

deps: rdeps

install: deps
	$(R) CMD INSTALL --preclean --no-test-load .

demo: install
	$(RSCRIPT) -e 'demo("dmil", package = "dmil", ask = FALSE, echo = TRUE)'

# The tests call entry points that only a DMIL_TESTING=1 build has
# (configure); exported to the install this target depends on.
test: export DMIL_TESTING = 1
test: install core-test r-test

r-test:
	NOT_CRAN=true $(RSCRIPT) -e 'testthat::test_dir("tests/testthat", package = "dmil", load_package = "installed", reporter = testthat::ProgressReporter$$new(show_praise = FALSE), stop_on_failure = TRUE)'

# The R-free core, built and tested as a plain C program.
tests/core/test_core: $(CORE_SRC) $(CORE_HDR) tests/core/test_core.c
	@if pkg-config --exists openblas 2>/dev/null; then \
	  BLAS_CFLAGS="-DDM_HAVE_OPENBLAS `pkg-config --cflags openblas`"; \
	  BLAS_LIBS="`pkg-config --libs openblas`"; \
	fi; \
	echo "$(CC) ... -o $@"; \
	$(CC) -std=c99 -O2 -fopenmp -Wall -Wextra -pedantic -Isrc/core $$BLAS_CFLAGS \
	  $(CORE_SRC) tests/core/test_core.c -o $@ $$BLAS_LIBS -lm

core-test: sysdeps tests/core/test_core
	./tests/core/test_core

# AddressSanitizer and UndefinedBehaviorSanitizer: the core's tests built
# with them, then the package built with them into its own library
# (tests/core/sanitize-lib) and a fast subset of the R tests run against it
# (.ci/sanitize.R), every finding fatal. R itself is not instrumented, so
# the sanitizers' runtimes are preloaded; leaks are `make valgrind`'s part
# (R's own allocations at exit would drown them here).
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_ENV = LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)" \
  ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
sanitize: deps
	@if pkg-config --exists openblas 2>/dev/null; then \
	  BLAS_CFLAGS="-DDM_HAVE_OPENBLAS `pkg-config --cflags openblas`"; \
	  BLAS_LIBS="`pkg-config --libs openblas`"; \
	fi; \
	$(CC) -std=c99 -O1 -g $(SAN_FLAGS) -fopenmp -Isrc/core $$BLAS_CFLAGS \
	  $(CORE_SRC) tests/core/test_core.c -o tests/core/test_core_san $$BLAS_LIBS -lm
	ASAN_OPTIONS=detect_leaks=1 ./tests/core/test_core_san
	mkdir -p tests/core/sanitize-lib
	printf 'CFLAGS = -g -O1 $(SAN_FLAGS)\nLDFLAGS = $(SAN_FLAGS)\n' > tests/core/sanitize.mk
	DMIL_TESTING=1 R_MAKEVARS_USER=$(CURDIR)/tests/core/sanitize.mk \
	  $(R) CMD INSTALL --preclean --no-test-load -l tests/core/sanitize-lib .
	$(SAN_ENV) R_LIBS=$(CURDIR)/tests/core/sanitize-lib NOT_CRAN=true $(RSCRIPT) .ci/sanitize.R
	./cleanup

# valgrind's memcheck on a small fit, predictions and the exact PID solvers
# (.ci/valgrind.R); any error or definite leak fails it.
valgrind: install
	@sh .ci/sysdeps.sh valgrind
	$(R) -d "valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q" \
	  --vanilla -f .ci/valgrind.R

# R CMD build runs the vignettes (pandoc comes with `make deps`).
check: deps
	rm -rf dmil.Rcheck dmil_*.tar.gz
	$(R) CMD build .
	NOT_CRAN=true $(R) CMD check --no-manual dmil_*.tar.gz

# As CRAN checks a submission (with the tools it calls); the heavier tests
# skip themselves (skip_on_cran()). Without the PDF manual, which needs a
# LaTeX installation of about a gigabyte, and without the checks that need
# the network (CRAN's incoming checks and the clock).
check-cran: deps
	@sh .ci/sysdeps.sh check
	rm -rf dmil.Rcheck dmil_*.tar.gz
	$(R) CMD build .
	_R_CHECK_CRAN_INCOMING_REMOTE_=false _R_CHECK_SYSTEM_CLOCK_=0 \
	  $(R) CMD check --as-cran --no-manual --timings dmil_*.tar.gz

bench: install
	$(RSCRIPT) bench/fit_speed.R
	$(RSCRIPT) bench/interactions_speed.R
	$(RSCRIPT) bench/interactions_quality.R
	$(RSCRIPT) bench/dmil_eval.R
	$(RSCRIPT) bench/dmil_cost.R
	$(RSCRIPT) bench/baselines_speed.R
	$(RSCRIPT) bench/probe.R

# Every method on every data set of the benchmark suite (about 10 minutes on
# 2 cores; fetches four CRAN packages as data sources into bench/out/).
bench-suite: install
	$(RSCRIPT) bench/suite/run.R

# dmil against PyTorch and the sgemm peak (installs python3-torch when root).
bench-torch: install
	sh bench/run.sh

# Regenerates NAMESPACE and man/ from the roxygen comments (needs roxygen2).
docs: install
	$(RSCRIPT) -e 'roxygen2::roxygenise(load_code = roxygen2::load_installed)'
	$(R) CMD INSTALL --preclean --no-test-load .

clean:
	./cleanup
	rm -rf dmil.Rcheck dmil_*.tar.gz tests/core/test_core
