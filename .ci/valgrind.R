# Run by `make valgrind` under valgrind's memcheck: a small fit of each kind,
# predictions with and without a view, and the exact PID solvers. Kept small:
# memcheck runs R about 50 times slower.
library(dmil)
set.seed(1)
sim <- simulate_interactions(120, "mix4", seed = 1)
x <- sim$x
x$x2[1:20, ] <- NA
fit <- dmil_fit(x, sim$y, hidden = 8, epochs = 2, nthreads = 2, progress = FALSE,
                control = dmil_control(finetune_epochs = 1, folds = 2, scores = list(epochs = 1)))
p <- predict(fit, sim$x, type = "prob")
p2 <- predict(fit, sim$x["x1"], type = "components")
joint <- dmil_fit(sim$x, sim$y, method = "joint", hidden = 8, epochs = 2, nthreads = 2,
                  progress = FALSE)
q <- predict(joint, sim$x)
it <- suppressWarnings(dmil_interactions(sim$x, sim$y, epochs = 1, folds = 2, repeats = 1,
                                         hidden = 8, nthreads = 2, progress = FALSE))
pd <- suppressWarnings(pid_discrete(pid_gate("and")))
pb <- pid_discrete(array(runif(60), c(5, 4, 3)), measure = "broja", progress = FALSE)
p3 <- pid_discrete(array(runif(36) * (runif(36) > 0.3), c(3, 2, 2, 3)), pointwise = TRUE)
cat("valgrind script done:", nrow(p), nrow(p2), nrow(q), nrow(it), nrow(pd), nrow(pb),
    nrow(p3$measures), "\n")
