# What differs between methods once a model is fitted or being fitted.
# Shared code (dmil_fit(), predict(), augment(), tidy(), glance(), print(),
# summary(), plot()) calls the internal generics below on the fit's method
# object, whose classes are "dmil_method_<method>", then
# "dmil_method_baseline" for the networks trained by the baselines, then
# "dmil_method". DMIL's methods are in dmil_methods.R, the baselines' next
# to the shared code they complete; a method with behaviour of its own adds
# methods for its class (as "i2moe", "ogm" and "interaction_ensemble" do).

method_of <- function(x) {
  method <- if (is.character(x)) x else x$method
  structure(list(method = method),
            class = c(paste0("dmil_method_", method), if (method != "dmil") "dmil_method_baseline",
                      "dmil_method"))
}

# Checks before training that need the data and settings (the validation
# rows, the method's control, the epochs); errors name what to change.
method_check <- function(m, views, y, val_rows, control, epochs, call) UseMethod("method_check")
method_check.dmil_method <- function(m, views, y, val_rows, control, epochs, call) invisible()

# Whether the method trains on samples that lack views (fit_setup()): DMIL
# on the views each has, the ensemble's networks on the samples that have
# their view (C_dm_fit_baseline() trains each network on the rows that have
# every view it reads).
method_incomplete <- function(m) UseMethod("method_incomplete")
method_incomplete.dmil_method <- function(m) FALSE
method_incomplete.dmil_method_dmil <- function(m) TRUE
method_incomplete.dmil_method_ensemble <- function(m) TRUE
method_incomplete.dmil_method_unimodal <- function(m) TRUE

# The number of parameters of every network the method trains, for views
# of `dims` features and K classes under dmil_fit()'s checked settings `s`
# (for the memory estimate of check_fit_memory(), before anything trains).
method_param_counts <- function(m, view_names, dims, K, s) UseMethod("method_param_counts")
method_param_counts.dmil_method_baseline <- function(m, view_names, dims, K, s) {
  nets <- baseline_nets(m$method, view_names, s$hidden, s$depth, s$fusion_depth, s$control,
                        s$epochs)
  net_param_counts(nets, dims, K)
}
net_param_counts <- function(nets, dims, K) {
  .Call(C_dm_net_param_counts, as.integer(dims), as.integer(K), unname(nets))
}

# Training: the fit's elements from n_val on (see dmil_fit()); `args` holds
# dmil_fit()'s checked settings, `data` the fit's standardised copy of the
# views (fit_data()), which every step reads instead of the views.
method_train <- function(m, views, y, bp, val_rows, args, data) UseMethod("method_train")

# The networks a baseline trains (see baseline_nets()).
method_nets <- function(m, kit, control, epochs) UseMethod("method_nets")

# One line on the architecture (print() and summary()); `enc` and `fusion`
# describe the encoders and the fusion head in the fit's settings.
method_architecture <- function(m, fit, enc, fusion) UseMethod("method_architecture")

# What a method adds to a fitted model (which has its class and settings),
# ending with its validation metrics (with_val_metrics()).
method_finish <- function(m, fit, views, y, data, progress) UseMethod("method_finish")
method_finish.dmil_method <- function(m, fit, views, y, data, progress) {
  with_val_metrics(m, fit, y, data)
}
with_val_metrics <- function(m, fit, y, data) {
  fit$val_metrics <- method_val_metrics(m, fit, y, data)
  fit
}

# Validation accuracy and loss of each network at its kept epoch, and of
# the model predict() uses (a data frame with net, val_accuracy, val_log_loss).
method_val_metrics <- function(m, fit, y, data) UseMethod("method_val_metrics")

method_predict <- function(m, fit, new_data, type, which, nthreads) UseMethod("method_predict")
method_augment <- function(m, fit, new_data, nthreads) UseMethod("method_augment")
# tidy() and summary() have one shape for every method; what a method
# fills in is its training stages (method_stages()), the head norms of its
# atoms (method_head_norms()) and the name of its model
# (method_model_name()), all next to tidy() and summary().
# Why a fit has no interaction table (interactions()).
method_no_interactions <- function(m, fit) UseMethod("method_no_interactions")
method_no_interactions.dmil_method <- function(m, fit) {
  "Only DMIL, I2MoE and interaction-ensemble fits score their training samples; use {.fn dmil_interactions}."
}

method_print_body <- function(m, fit) UseMethod("method_print_body")

# The training curves: the history with the series drawn (`series`) and
# their x positions (`step`), the x axis label, whether stage boundaries are
# marked, and the column and legend title of the colours.
method_curves <- function(m, fit) UseMethod("method_curves")
method_curves.dmil_method_baseline <- function(m, fit) {
  h <- fit$history
  h$series <- h$net
  h$step <- h$epoch
  list(h = h, xlab = "epoch", stages = FALSE, colour = "series", colour_title = "network")
}
