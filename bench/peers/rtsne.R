# Rtsne (Barnes-Hut t-SNE, Krijthe's R wrapper of van der Maaten's bhtsne) on
# the PCA-50 matrix nebench exported, with the spectrum paper's schedule:
# 250 early iterations at exaggeration 12, then 500; learning rate n/12.
# Usage: Rscript rtsne.R IN.npy OUT.npy SEED THREADS
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))), "npy.R"))
suppressMessages(library(Rtsne))
X <- read_npy(args[1])
set.seed(as.integer(args[3]))
n <- nrow(X)
t <- system.time(fit <- Rtsne(X, pca = FALSE, perplexity = 30, theta = 0.5, max_iter = 750,
                              eta = n / 12, exaggeration_factor = 12, stop_lying_iter = 250,
                              mom_switch_iter = 250, check_duplicates = FALSE,
                              num_threads = as.integer(args[4]), verbose = FALSE))
write_npy(args[2], fit$Y)
cat(sprintf("rtsne_seconds %.3f\n", t[["elapsed"]]))
cat(sprintf("rtsne_version %s\n", as.character(packageVersion("Rtsne"))))
