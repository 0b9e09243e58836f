# uwot (R's UMAP) on the PCA-50 matrix nebench exported, at the package
# defaults of umap-learn that nebench also uses: 15 neighbours (uwot's
# approximate Annoy kNN, included in the time), 200 epochs, min_dist 0.1,
# spectral init, 5 negatives per positive.
# Usage: Rscript uwot.R IN.npy OUT.npy SEED THREADS
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))), "npy.R"))
suppressMessages(library(uwot))
X <- read_npy(args[1])
set.seed(as.integer(args[3]))
threads <- as.integer(args[4])
t <- system.time(Y <- umap(X, n_neighbors = 15, n_epochs = 200, min_dist = 0.1, init = "spectral",
                           negative_sample_rate = 5, n_threads = threads,
                           n_sgd_threads = threads, verbose = FALSE))
write_npy(args[2], Y)
cat(sprintf("uwot_seconds %.3f\n", t[["elapsed"]]))
cat(sprintf("uwot_version %s\n", as.character(packageVersion("uwot"))))
