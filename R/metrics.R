# Classification metrics of held-out predictions, one definition each,
# following yardstick's (the tidymodels metrics package; the tests compare
# with it when it is installed): the names are the metric columns of
# dmil_cv() and dmil_tune() and of their tidy() and glance(); TRUE where
# larger is better.
metric_larger_better <- c(accuracy = TRUE, bal_accuracy = TRUE, f_macro = TRUE, roc_auc = TRUE,
                          log_loss = FALSE, brier = FALSE)
metric_names <- names(metric_larger_better)

# `prob`: n x K class probabilities, columns in the order of levels(truth);
# `truth`: a factor. Returns a named numeric vector (metric_names).
class_metrics <- function(prob, truth) {
  prob <- unname(as.matrix(prob))
  K <- nlevels(truth)
  ti <- as.integer(truth)
  pred <- max.col(prob, ties.method = "first")
  # rows: predicted class, columns: true class (yardstick's orientation)
  cm <- table(factor(pred, levels = seq_len(K)), factor(ti, levels = seq_len(K)))
  tp <- diag(cm)
  recall <- ifelse(colSums(cm) > 0, tp / colSums(cm), NA)
  precision <- ifelse(rowSums(cm) > 0, tp / rowSums(cm), NA)
  negatives <- sum(cm) - colSums(cm)
  specificity <- ifelse(negatives > 0, (sum(cm) - rowSums(cm) - colSums(cm) + tp) / negatives, NA)
  f1 <- ifelse(!is.na(precision) & !is.na(recall) & precision + recall == 0, 0,
               2 * precision * recall / (precision + recall))
  bal <- if (K == 2) {
    (recall[1] + specificity[1]) / 2
  } else {
    (mean(recall, na.rm = TRUE) + mean(specificity, na.rm = TRUE)) / 2
  }
  eps <- .Machine$double.eps
  p_true <- pmin(pmax(prob[cbind(seq_along(ti), ti)], eps), 1 - eps)
  onehot <- outer(ti, seq_len(K), `==`)
  c(accuracy = mean(pred == ti),
    bal_accuracy = unname(bal),
    f_macro = if (K == 2) unname(f1[1]) else mean(f1, na.rm = TRUE),
    roc_auc = hand_till_auc(prob, ti, K),
    log_loss = -mean(log(p_true)),
    brier = sum((onehot - prob)^2) / (2 * length(ti)))
}

# Hand and Till's (2001) multi-class AUC: the mean over pairs of classes
# (i, j) of the AUCs of p_i separating i from j and of p_j separating j from
# i; the usual AUC with two classes. Classes absent from `ti` are left out.
hand_till_auc <- function(prob, ti, K) {
  present <- sort(unique(ti))
  if (length(present) < 2) return(NA_real_)
  pairs <- utils::combn(present, 2)
  mean(apply(pairs, 2, function(p) {
    (pair_auc(prob[, p[1]], ti, p[1], p[2]) + pair_auc(prob[, p[2]], ti, p[2], p[1])) / 2
  }))
}

# AUC of score s for class a against class b (Mann-Whitney: ties count
# one half), on the rows of those two classes.
pair_auc <- function(s, ti, a, b) {
  keep <- ti %in% c(a, b)
  r <- rank(s[keep])
  pos <- ti[keep] == a
  n1 <- sum(pos)
  n0 <- sum(!pos)
  (sum(r[pos]) - n1 * (n1 + 1) / 2) / (n1 * n0)
}
