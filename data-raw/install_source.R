# Helper for the data-raw scripts: installs a CRAN package into a private,
# temporary library (the package is only a source of data, not a dependency
# of dmil) and returns that library's path.
# `lib` defaults to a folder of the session's temporary directory.
source_library <- function(pkg, lib = file.path(tempdir(), "dmil-data-raw-lib")) {
  dir.create(lib, showWarnings = FALSE, recursive = TRUE)
  if (!requireNamespace(pkg, lib.loc = c(lib, .libPaths()), quietly = TRUE)) {
    install.packages(pkg, lib = lib, repos = "https://cloud.r-project.org", quiet = TRUE)
  }
  c(lib, .libPaths())
}
