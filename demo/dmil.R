## dmil demo: two views whose samples carry the label in different ways.
##   R     both views show the label (redundancy)
##   U_x1  only view x1 shows it, U_x2 only view x2 (uniqueness)
##   S     the label is the XOR of what the two views show (synergy)
## View x2 is the weaker one (kappa 0.6).
library(dmil)

sim <- simulate_interactions(6000, "mix4", K = 2, sigma = 0.5, kappa = c(1, 0.6), seed = 2026)
sim
train <- 1:4000
test <- 4001:6000
views <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])

## DMIL (the default method): decomposition network, per-sample interaction
## scores of the training data, interaction-weighted fine-tuning; it predicts
## with the network pooled with joint, late and early fusion networks.
fit <- dmil_fit(views(train), sim$y[train], seed = 1)
fit

## Two baselines: a joint model with a nonlinear fusion head, and a
## modality ensemble.
fit_joint <- dmil_fit(views(train), sim$y[train], method = "joint", seed = 1)
fit_ens <- dmil_fit(views(train), sim$y[train], method = "ensemble", seed = 1)

## Test accuracy by interaction type. The ensemble cannot fit the
## synergistic (XOR) samples; with view x1 missing, only DMIL keeps
## predicting the redundant samples from x2.
acc <- function(fit, x) {
  pred <- predict(fit, x)$.pred_class
  tapply(pred == sim$y[test], sim$type[test], mean)
}
x_test <- views(test)
x1_gone <- within(x_test, x1 <- x1[sample(nrow(x1)), ])   # x1's information destroyed
round(rbind(dmil = acc(fit, x_test), joint = acc(fit_joint, x_test),
            ensemble = acc(fit_ens, x_test),
            `dmil, x1 missing` = acc(fit, x_test["x2"]),
            `joint, x1 permuted` = acc(fit_joint, x1_gone)), 3)

## Per-sample results on the test data: predictions, the contribution of
## each component head to the predicted logit, and the expected interactions.
head(augment(fit, x_test))

## The training samples' interaction scores (Phase B) and their summary
head(interactions(fit))
summary(interactions(fit), B = 500, seed = 1)
