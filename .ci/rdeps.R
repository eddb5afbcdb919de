# Installs the R packages dmil needs (Imports, LinkingTo and Suggests of
# DESCRIPTION) when they are missing or
# too old. As root on Debian/Ubuntu, Debian's prebuilt r-cran-* packages are
# used when their version suffices; everything else comes from CRAN.
cran <- "https://cloud.r-project.org"

desc <- read.dcf("DESCRIPTION", fields = c("Imports", "LinkingTo", "Suggests"))
parse_deps <- function(s) {
  if (is.na(s)) return(data.frame(pkg = character(), version = character()))
  parts <- trimws(strsplit(gsub("\n", " ", s), ",")[[1]])
  parts <- parts[nzchar(parts)]
  pkg <- sub("\\s*\\(.*$", "", parts)
  version <- ifelse(grepl(">=", parts), sub(".*>=\\s*([^)]+)\\).*", "\\1", parts), "0")
  data.frame(pkg = pkg, version = version)
}
deps <- do.call(rbind, lapply(desc[1, ], parse_deps))
base <- rownames(installed.packages(priority = "base"))
deps <- deps[!deps$pkg %in% c("R", base), ]
deps <- deps[!duplicated(deps$pkg), ]

outdated <- function(d) {
  vapply(seq_len(nrow(d)), function(i) {
    v <- tryCatch(utils::packageVersion(d$pkg[i]), error = function(e) NULL)
    is.null(v) || v < d$version[i]
  }, logical(1))
}
# Without write access to the site library, packages (dmil included) go to
# the user library, which R only searches if it exists when it starts.
lib <- .libPaths()[1]
if (file.access(lib, 2) != 0) {
  lib <- Sys.getenv("R_LIBS_USER")
  dir.create(lib, recursive = TRUE, showWarnings = FALSE)
  .libPaths(c(lib, .libPaths()))
}

todo <- deps[outdated(deps), ]
if (nrow(todo) == 0) quit(status = 0)

is_root <- Sys.info()[["effective_user"]] == "root"
if (is_root && nzchar(Sys.which("apt-get"))) {
  debs <- paste0("r-cran-", tolower(todo$pkg))
  avail <- vapply(debs, function(d) {
    out <- suppressWarnings(system2("apt-cache", c("policy", d), stdout = TRUE, stderr = FALSE))
    any(grepl("Candidate: [0-9]", out))
  }, logical(1))
  if (!all(avail)) {
    system2("apt-get", "update -qq")
    avail <- vapply(debs, function(d) {
      out <- suppressWarnings(system2("apt-cache", c("policy", d), stdout = TRUE, stderr = FALSE))
      any(grepl("Candidate: [0-9]", out))
    }, logical(1))
  }
  if (any(avail)) {
    message("Installing from Debian: ", paste(debs[avail], collapse = " "))
    Sys.setenv(DEBIAN_FRONTEND = "noninteractive")
    system2("apt-get", c("install", "-y", "-qq", "--no-install-recommends", debs[avail]))
  }
  todo <- todo[outdated(todo), ]
}
if (nrow(todo) > 0) {
  message("Installing from CRAN into ", lib, ": ", paste(todo$pkg, collapse = " "))
  install.packages(todo$pkg, lib = lib, repos = cran, Ncpus = 2)
  still <- todo[outdated(todo), ]
  if (nrow(still) > 0) stop("could not install: ", paste(still$pkg, collapse = ", "))
}
