# DMIL: the decomposition network, its phases, predictions with missing
# views, and the switches of dmil_control(). (The gradient of every Phase A
# term is checked in test-core-gradients.R.)

sim <- simulate_interactions(1600, "mix4", sigma = 0.4, seed = 101)
train <- 1:1200
test <- 1201:1600
xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
# The network alone (no pool): test-dmil-pool.R tests the pool.
quick_ctl <- function(..., scores = list(epochs = 5), members = character()) {
  dmil_control(finetune_epochs = 3, scores = scores, members = members, ...)
}
dmil_quick <- function(..., control = quick_ctl(), seed = 1) {
  dmil_fit(xs(train), sim$y[train], epochs = 12, control = control, seed = seed,
           progress = FALSE, ...)
}
fit <- dmil_quick()

test_that("DMIL is the default method and records its phases", {
  expect_identical(fit$method, "dmil")
  expect_identical(fit$phases$stage, c("A", "R", "U", "S"))
  expect_identical(fit$phases$phase, c("A", "C", "C", "C"))
  expect_setequal(unique(fit$history$stage), c("A", "R", "U", "S"))
  expect_named(fit$history, c("net", "stage", "epoch", "train_loss", "val_log_loss", "val_accuracy"))
  expect_s3_class(interactions(fit), "dmil_interactions")
  expect_equal(nrow(interactions(fit)), length(train) - fit$n_val)
})

test_that("DMIL learns the simulated task", {
  big <- dmil_fit(xs(train), sim$y[train], seed = 2, progress = FALSE,
                  control = dmil_control(finetune_epochs = 5, scores = list(epochs = 10),
                                         members = character()))
  expect_gt(mean(predict(big, xs(test))$.pred_class == sim$y[test]), 0.9)
})

test_that("a reverted stage leaves the parameters as they were", {
  # With tolerance 0 a stage that lowers the validation accuracy is undone;
  # a learning rate of 5 makes the U stage do so, so R then U ends where R
  # alone ends.
  ru <- dmil_quick(control = quick_ctl(stages = c("R", "U"), tolerance = 0, finetune_lr = 5))
  expect_identical(ru$phases$stage, c("A", "R", "U"))
  expect_lt(ru$phases$val_accuracy_after[3], ru$phases$val_accuracy_before[3])
  expect_false(ru$phases$kept[3])
  r_only <- dmil_quick(control = quick_ctl(stages = "R", tolerance = 0, finetune_lr = 5))
  expect_identical(ru$nets$dmil$theta, r_only$nets$dmil$theta)
})

test_that("predictions survive saveRDS() and are identical for 1 and 2 threads", {
  skip_without_openmp()
  path <- withr::local_tempfile(fileext = ".rds")
  saveRDS(fit, path)
  back <- readRDS(path)
  expect_identical(predict(back, xs(test), type = "logit"), predict(fit, xs(test), type = "logit"))
  f1 <- dmil_quick(nthreads = 1, seed = 3)
  f2 <- dmil_quick(nthreads = 2, seed = 3)
  expect_identical(f1$nets, f2$nets)
  expect_identical(f1$history, f2$history)
  expect_false(identical(dmil_quick(seed = 4)$nets, f1$nets))
})

test_that("components add up to the logits", {
  comp <- predict(fit, xs(test), type = "components")
  lg <- as.matrix(predict(fit, xs(test), type = "logit")[1:2])
  cls <- as.integer(comp$.pred_class)
  total <- comp$.comp_R + comp$.comp_U_x1 + comp$.comp_U_x2 + comp$.comp_S + comp$.comp_bias
  expect_equal(total, lg[cbind(seq_along(cls), cls)], tolerance = 1e-5)
})

test_that("with one view missing, only the product of experts and that view's unique head contribute", {
  only1 <- predict(fit, xs(test)["x1"], type = "components")
  expect_true(all(only1$.comp_U_x2 == 0))
  expect_true(all(only1$.comp_S == 0))
  expect_equal(only1$.comp_U_x1[only1$.pred_class == predict(fit, xs(test))$.pred_class],
               predict(fit, xs(test), type = "components")$.comp_U_x1[
                 only1$.pred_class == predict(fit, xs(test))$.pred_class], tolerance = 1e-5)
  lg <- as.matrix(predict(fit, xs(test)["x1"], type = "logit")[1:2])
  cls <- as.integer(only1$.pred_class)
  expect_equal(only1$.comp_R + only1$.comp_U_x1 + only1$.comp_bias,
               lg[cbind(seq_along(cls), cls)], tolerance = 1e-5)
})

test_that("rows that are entirely NA in a view count as missing that view", {
  x <- xs(test)
  gone <- 1:50
  x$x2[gone, ] <- NA
  mixed <- predict(fit, x, type = "logit")
  absent <- predict(fit, lapply(x, function(v) v[gone, , drop = FALSE])["x1"], type = "logit")
  full <- predict(fit, xs(test), type = "logit")
  expect_equal(as.matrix(mixed[gone, 1:2]), as.matrix(absent[1:2]), tolerance = 1e-5,
               ignore_attr = TRUE)
  expect_equal(as.matrix(mixed[-gone, 1:2]), as.matrix(full[-gone, 1:2]), tolerance = 1e-5,
               ignore_attr = TRUE)
  expect_identical(unique(augment(fit, x)$.views[gone]), "x1")
  x$x1[51, 1] <- NA
  expect_error(predict(fit, x), class = "dmil_error_values")
  both <- xs(test)
  both$x1[1, ] <- NA
  both$x2[1, ] <- NA
  expect_error(predict(fit, both), class = "dmil_error_newdata")
  expect_error(predict(fit, list(other = 1)), class = "dmil_error_views")
})

test_that("augment() combines predictions, components and expected interactions", {
  a <- augment(fit, xs(test))
  expect_equal(nrow(a), length(test))
  expect_true(all(c("sample", ".pred_class", ".pred_0", ".pred_1", ".comp_R", ".comp_S",
                    ".expected_r", ".expected_u_x1", ".expected_u_x2", ".expected_s",
                    ".expected_dominant", ".views") %in% names(a)))
  expect_false(anyNA(a$.expected_r))
  expect_true(all(a$.views == "x1+x2"))
  only1 <- augment(fit, xs(test)["x1"])
  expect_true(all(is.na(only1$.expected_r)))
  expect_true(all(only1$.views == "x1"))
  expect_identical(a$.pred_class, predict(fit, xs(test))$.pred_class)
})

test_that("tidy() has one row per training stage, kept or undone", {
  td <- tidy(fit)
  expect_identical(td$stage, fit$phases$stage)
  expect_identical(td$kept, fit$phases$kept)
  expect_identical(td$best_epoch, fit$phases$best_epoch)
  h <- fit$history[fit$history$stage == "A", ]
  expect_equal(td$val_accuracy[1], h$val_accuracy[fit$phases$best_epoch[1]])
  expect_equal(sum(td$epochs), nrow(fit$history))
})

test_that("tidy(what = \"interactions\") gives the mean score and head size of each atom", {
  td <- tidy(fit, "interactions")
  expect_identical(td$term, c("r", "u_x1", "u_x2", "s"))
  expect_equal(td$estimate[1], mean(interactions(fit)$r))
  expect_equal(td$std.error[4], sd(interactions(fit)$s) / sqrt(nrow(interactions(fit))))
  lay <- dmil:::dmil_layout(fit)
  expect_equal(td$head_norm[2], sqrt(sum(fit$nets$dmil$theta[lay$U_x1]^2)))
  expect_gt(min(td$head_norm), 0)
})

test_that("print() and summary() show the phases and stages", {
  expect_output(print(fit), "Phase C stage U")
  out <- capture.output(print(summary(fit)))
  expect_match(out, "Training stages of the network", all = FALSE)
  expect_match(out, "DMIL after its kept stages: validation accuracy", all = FALSE)
  expect_match(out, "^Interactions", all = FALSE)
})

test_that("ablation switches change what they say", {
  a_only <- dmil_quick(control = quick_ctl(finetune = FALSE))
  expect_identical(a_only$phases$stage, "A")
  expect_error(interactions(a_only), class = "dmil_error_arg")
  # Phase A is the same fit with or without fine-tuning afterwards
  expect_identical(a_only$history[a_only$history$stage == "A", ],
                   fit$history[fit$history$stage == "A", ])

  two <- dmil_quick(control = quick_ctl(stages = c("R", "S")))
  expect_identical(two$phases$stage, c("A", "R", "S"))

  # With gamma = 0 the weights are uniform, so Phase C no longer depends on
  # the scores: another measure changes the scores but not the model.
  g0_pmmi <- dmil_quick(control = quick_ctl(gamma = 0))
  g0_lsmi <- dmil_quick(control = quick_ctl(gamma = 0, measure = "lsmi",
                                            scores = list(epochs = 5, knife = list(epochs = 3))))
  expect_false(identical(interactions(g0_pmmi)$r, interactions(g0_lsmi)$r))
  expect_identical(g0_pmmi$nets, g0_lsmi$nets)
  expect_identical(attr(interactions(g0_lsmi), "dmil")$measure, "lsmi")
  expect_false(identical(fit$nets, g0_pmmi$nets))

  det <- dmil_quick(control = quick_ctl(variational = FALSE))
  cfg <- det$stage_settings$A
  expect_equal(c(cfg$variational, cfg$beta_R, cfg$beta_U, cfg$beta_S), c(0, 0, 0, 0))
  expect_equal(fit$stage_settings$A$variational, 1L)

  anova <- dmil_quick(control = quick_ctl(lambda_anova = 0.1, lambda_align = 0.1))
  expect_equal(anova$stage_settings$A$lambda_anova, 0.1)
  expect_equal(anova$stage_settings$S$lambda_anova, 0.1)
  expect_equal(anova$stage_settings$R$lambda_align, 0.1)
  expect_equal(fit$stage_settings$A$lambda_anova, 0)
  expect_false(identical(anova$nets, fit$nets))
})

test_that("the parameter table covers every weight once, in blocks of known groups", {
  dims <- vapply(fit$views, function(b) length(b$columns), integer(1))
  tab <- .Call(dmil:::C_dm_dmil_layout, unname(dims), length(fit$levels), fit$nets$dmil$arch)
  expect_identical(tab$start, cumsum(c(1, utils::head(tab$length, -1))))
  expect_identical(sum(tab$length), as.double(length(fit$nets$dmil$theta)))
  expect_setequal(tab$group, dmil:::dmil_groups())
  # a block per view for encoders, posteriors and unique heads; one of the rest
  per_view <- c("enc", "rpost", "upost", "au")
  expect_true(all(table(tab$group)[per_view] == length(dims)))
  expect_true(all(is.na(tab$view[!tab$group %in% per_view])))
  expect_named(dmil:::dmil_layout(fit), c("R", paste0("U_", names(dims)), "S", "bias"))
})

test_that("the stages train the groups the design assigns them", {
  st <- fit$stage_settings
  expect_setequal(st$A$groups, c("enc", "rpost", "upost", "fuse", "spost", "ar", "au", "as", "bias"))
  expect_identical(st$R$groups, c("enc", "rpost", "ar", "bias"))
  expect_identical(st$U$groups, c("enc", "upost", "au"))
  expect_identical(st$S$groups, c("fuse", "spost", "as"))
  # frozen parameters do not move: the synergy stage leaves a_R unchanged
  ph <- fit$phases
  lay <- dmil:::dmil_layout(fit)
  a_fit <- dmil_quick(control = quick_ctl(stages = "S"))
  a_ref <- dmil_quick(control = quick_ctl(finetune = FALSE))
  expect_identical(a_fit$nets$dmil$theta[lay$R], a_ref$nets$dmil$theta[lay$R])
  expect_false(identical(a_fit$nets$dmil$theta[lay$S], a_ref$nets$dmil$theta[lay$S]))
})

test_that("Phase B folds that a class cannot fill are refused before Phase A trains", {
  y <- nutrimouse$diet  # 8 mice per diet
  ctl <- dmil_control(folds = 9)
  expect_error(dmil_fit(nutrimouse$x, y, control = ctl, validation = 0, progress = FALSE),
               "at least 10 samples", class = "dmil_error_outcome")
})

test_that("dmil_control() validates its settings", {
  expect_error(dmil_control(stages = c("R", "X")), class = "dmil_error_arg")
  expect_error(dmil_control(gamma = 2), class = "dmil_error_arg")
  expect_error(dmil_control(scores = list(foo = 1)), class = "dmil_error_arg")
  # Phase B settings are checked before Phase A trains
  expect_error(dmil_control(scores = list(epochs = -1)), "scores\\$epochs", class = "dmil_error_arg")
  expect_error(dmil_control(scores = list(knife = list(lr = 0))), "scores\\$knife\\$lr",
               class = "dmil_error_arg")
  edited <- dmil_control()
  edited$latent <- 0
  expect_error(dmil_fit(xs(train), sim$y[train], control = edited), "latent",
               class = "dmil_error_arg")
  expect_error(dmil_fit(xs(train), sim$y[train], control = list()), class = "dmil_error_arg")
  expect_output(print(dmil_control()), "lambda_anova")
  expect_error(predict(dmil_fit(xs(train), sim$y[train], method = "late", epochs = 2,
                                progress = FALSE), xs(test), type = "components"),
               class = "dmil_error_arg")
})

test_that("default settings fit every shipped data set", {
  # 40 mice, five diets of 8: the default batch is capped at the training
  # rows and Phase B uses as many folds as the smallest diet allows
  diet <- dmil_fit(nutrimouse$x, nutrimouse$diet, seed = 1, nthreads = 1, progress = FALSE)
  expect_identical(diet$settings$batch_size, 40L - diet$n_val)
  expect_equal(attr(interactions(diet), "dmil")$folds,
               min(5, table(nutrimouse$diet[-diet$val_rows]) - 1), ignore_attr = TRUE)
  geno <- dmil_fit(nutrimouse$x, nutrimouse$genotype, seed = 1, nthreads = 1, progress = FALSE)
  expect_identical(attr(interactions(geno), "dmil")$folds, 5L)
  expect_s3_class(dmil_fit(brca$x, brca$cluster, seed = 1, nthreads = 1, progress = FALSE,
                           control = dmil_control(finetune = FALSE)), "dmil_fit")
})

test_that("Phase B cross-fits with as many folds as the smallest class allows", {
  expect_identical(dmil:::score_folds(factor(rep(c("a", "b"), c(4, 10)))), 3L)
  expect_identical(dmil:::score_folds(factor(rep(c("a", "b"), c(40, 10)))), 5L)
  expect_identical(dmil:::score_folds(factor(rep(c("a", "b"), c(2, 10)))), NA_integer_)
})

test_that("DMIL fine-tunes unweighted when a class is too small to cross-fit", {
  y <- sim$y[train]
  two <- which(y == levels(y)[1])[1:2]
  keep <- c(two, which(y != levels(y)[1]))
  f <- dmil_fit(lapply(xs(train), function(v) v[keep, ]), droplevels(y[keep]), epochs = 3,
                validation = 0, control = quick_ctl(), seed = 1, progress = FALSE)
  expect_error(interactions(f), "too few to cross-fit", class = "dmil_error_arg")
  expect_identical(f$phases$stage, c("A", "R", "U", "S"))
})

test_that("the synergy head starts at zero, so training starts from the additive part", {
  still <- dmil_fit(xs(train), sim$y[train], epochs = 1, lr = 1e-12, seed = 3, progress = FALSE,
                    control = dmil_control(finetune = FALSE))
  comps <- predict(still, xs(test), type = "components")
  expect_lt(max(abs(comps$.comp_S)), 1e-6)
  expect_gt(max(abs(comps$.comp_R)), 0.01)
})

test_that("calibration divides the logits by a temperature and keeps the classes", {
  cal <- dmil_quick(control = quick_ctl(finetune = FALSE))
  raw <- dmil_quick(control = quick_ctl(finetune = FALSE, calibrate = FALSE))
  temp <- cal$nets$dmil$temperature
  expect_true(temp > 0 && temp != 1)
  expect_null(raw$nets$dmil$temperature)
  lc <- predict(cal, xs(test), type = "logit")
  lr <- predict(raw, xs(test), type = "logit")
  logit_cols <- grep("^.logit_", names(lc))
  expect_equal(as.matrix(lc[logit_cols]), as.matrix(lr[logit_cols]) / temp, tolerance = 1e-6)
  expect_identical(predict(cal, xs(test))$.pred_class, predict(raw, xs(test))$.pred_class)
  # the temperature minimises the validation loss (plus a prior that is 0 at 1)
  expect_lte(cal$val_metrics$val_log_loss, raw$val_metrics$val_log_loss)
  # a fit saved before calibration existed predicts with temperature 1
  old <- cal
  old$nets$dmil$temperature <- NULL
  expect_equal(predict(old, xs(test), type = "logit"), lr)
})
