#' The names dmil uses, in every output
#'
#' One concept has one name across the package: in the tables of
#' [dmil_interactions()], [pid_discrete()] and [simulate_interactions()], in
#' `tidy()`, `glance()` and `augment()`, in resampling and tuning results
#' and in plots. Quantities are lower case, kinds (types, components,
#' stages) upper case.
#'
#' @section Atoms and informations (lower case, in bits unless `unit` says):
#' * `r`: redundancy, information every view carries about the label;
#' * `u_<view>`: information unique to one view;
#' * `s`: synergy, information only the views together carry;
#' * with three or more views, `r_<view>_<view>` (and longer): information
#'   shared by exactly those views, beyond `r`;
#' * `i_<view>`: the information a view carries alone (its pointwise mutual
#'   information with the label, or the mutual information for a
#'   distribution), `i_<view>_<view>` that of a set of views, `i_joint` that
#'   of all views together; with two views `u_<view> + r = i_<view>` and
#'   `u_<view1> + u_<view2> + r + s = i_joint`;
#' * `h_<view>`: surprisals (measure `"lsmi"`);
#' * `sd_<atom>`: the between-repeat standard deviation of an atom
#'   ([dmil_interactions()]), `sd` in the long form of `tidy()`;
#' * `mean_<atom>`: the mean of an atom over samples ([glance()] of an
#'   interaction table);
#' * `.expected_<atom>`: the same quantities computed without labels, as
#'   their expectation under the predicted label ([augment.dmil_fit()]):
#'   they are not the labelled values and are named apart.
#'
#' [pid_discrete()] names its sources as views are named (`u_x1`, or
#' `u_<source>` after the sources' names). In long tables the atom or
#' information is in `term` (as in broom): `tidy()` of interaction tables,
#' of fits (`what = "interactions"`) and of [dmil_boot()] results.
#'
#' @section Kinds (upper case):
#' * interaction types `R`, `U_<view>`, `S` (and `R_<view>_<view>` with
#'   three or more views): the `dominant` atom of a sample, the `type` of a
#'   simulated sample;
#' * DMIL's component heads and their contributions to the logit,
#'   `.comp_R`, `.comp_U_<view>`, `.comp_S` (and `.comp_bias`);
#' * DMIL's training stages in `stage` and `stages`: `A` (Phase A), then the
#'   fine-tuning stages `R`, `U`, `S`.
#'
#' @section Metrics:
#' Metrics of predicted probabilities have one name each: `accuracy`,
#' `bal_accuracy`, `f_macro`, `roc_auc`, `log_loss` (mean negative log
#' probability of the true class, in nats) and `brier`, as defined in
#' [dmil_cv()]. A prefix or suffix says on which rows or of which model:
#' * `val_accuracy`, `val_log_loss`: on a fit's validation rows (the training
#'   history, [glance()] and [tidy()] of fits); `train_loss` is the
#'   objective minimised on the training rows (the log-loss plus the
#'   method's penalties), hence not called `log_loss`;
#' * `accuracy_<view>`, `accuracy_joint`, `log_loss_joint`: of the
#'   discriminators of an interaction table (cross-fitted);
#' * `<metric>_se`: the standard error of a metric's mean over resampling
#'   splits (`summary()` of [dmil_cv()] and [dmil_tune()]; `std.error` in
#'   their `tidy()`).
#'
#' @section Predictions and resampling:
#' * `.pred_class`, `.pred_<level>` (probabilities), `.logit_<level>`, as in
#'   tidymodels; `truth` the observed class where predictions are scored or
#'   the training data are augmented; `label` the observed class in
#'   interaction tables; `sample` the sample's id (row names of the views,
#'   else row numbers);
#' * resampling: `split`, `repetition`, `fold`, `method`, `seed`, `n`
#'   (samples assessed); tuning adds `.config`, the candidate.
#' @seealso [dmil_interactions()], [pid_discrete()], [dmil_cv()],
#'   [fit-methods].
#' @examples
#' # the same atoms, exact and estimated
#' names(pid_discrete(pid_gate("and"), measure = "mmi"))
#' sim <- simulate_interactions(300, "mix4", seed = 1)
#' names(sim$oracle)
#' @name dmil_vocabulary
NULL
