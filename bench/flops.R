# Floating-point operations per training sample and step (forward and
# backward; the dense layers, which dominate), for two views of d features,
# encoders of 2 layers of h units, K classes. Element-wise work is not
# counted, so the GFLOP/s derived from these counts are a lower bound.
dense_train <- function(i, o, first = FALSE) {
  # forward, weight gradient, and input gradient unless it is an input layer
  2 * i * o * (if (first) 2 else 3)
}
flops_joint <- function(d, h, K, M = 2) {
  M * (dense_train(d, h, TRUE) + dense_train(h, h)) + dense_train(M * h, h) + dense_train(h, K)
}
flops_dmil <- function(d, h, D, K, M = 2, P = 8) {
  enc <- M * (dense_train(d, h, TRUE) + dense_train(h, h))
  post <- 2 * M * dense_train(h, 2 * D) + dense_train(M * h, h) + dense_train(h, 2 * D)
  heads <- (2 * M + 2) * dense_train(D, K)
  # M * P partner rows per sample: their fusion pre-activations are sums of
  # per-view shares already computed, so only the synergy posterior's mean
  # half and the synergy head run on them (forward, weight and input
  # gradients); the fusion weight gradient is one product per view
  anova <- M * P * (dense_train(h, D) + dense_train(D, K)) + M * 2 * h * h
  enc + post + heads + anova
}
