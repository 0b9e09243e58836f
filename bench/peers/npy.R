# Minimal .npy reader/writer for float32 / float64 C-order 2-D arrays, so the
# peers read exactly the matrix nebench embeds (no extra R packages needed).
read_npy <- function(path) {
  con <- file(path, "rb"); on.exit(close(con))
  magic <- readBin(con, "raw", 6)
  stopifnot(identical(magic, as.raw(c(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59))))
  version <- readBin(con, "integer", 2, size = 1)
  hlen <- if (version[1] == 1) readBin(con, "integer", 1, size = 2, endian = "little", signed = FALSE)
          else readBin(con, "integer", 1, size = 4, endian = "little")
  header <- rawToChar(readBin(con, "raw", hlen))
  descr <- sub(".*'descr': *'([^']+)'.*", "\\1", header)
  shape <- as.integer(strsplit(sub(".*'shape': *\\(([^)]*)\\).*", "\\1", header), ", *")[[1]])
  size <- if (descr == "<f4") 4 else if (descr == "<f8") 8 else stop("unsupported dtype ", descr)
  n <- prod(shape)
  v <- readBin(con, "double", n, size = size, endian = "little")
  matrix(v, nrow = shape[1], ncol = if (length(shape) > 1) shape[2] else 1, byrow = TRUE)
}

write_npy <- function(path, m) {
  header <- sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", nrow(m), ncol(m))
  pad <- (64 - (10 + nchar(header) + 1) %% 64) %% 64
  header <- paste0(header, strrep(" ", pad), "\n")
  tmp <- paste0(path, ".tmp")
  con <- file(tmp, "wb")
  writeBin(as.raw(c(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0)), con)
  writeBin(nchar(header), con, size = 2, endian = "little")
  writeBin(charToRaw(header), con)
  writeBin(as.vector(t(m)), con, size = 8, endian = "little")
  close(con)
  invisible(file.rename(tmp, path))
}
