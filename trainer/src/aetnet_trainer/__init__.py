"""AETNet trainer: reads a prepared dataset, fine-tunes with alignment losses, exports an ONNX bundle."""
