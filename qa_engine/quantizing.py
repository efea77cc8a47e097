"""`QA_DTYPE=int8`: dynamic int8 quantisation of a loaded model's Linear layers.

Why: bfloat16 only pays on CPUs with native bf16 (AVX-512 BF16, AMX); on the AVX2-only
CPUs common in cloud VMs it is slower than float32. Dynamic quantisation stores the Linear
weights as int8 and quantises activations on the fly, which speeds up the matrix products
on any x86 CPU with AVX2 (fbgemm). Embeddings, LayerNorm and the softmax stay float32, so
logits come out as float32 and decoding is unchanged; the numbers differ slightly from
float32, so exact mode is then no longer pipeline-identical (see BENCHMARKS.md).
"""

from __future__ import annotations

import warnings
from typing import Any


def quantize_int8(model: Any) -> Any:
    """The model with every `torch.nn.Linear` replaced by a dynamic int8 Linear, in place."""
    import torch

    with warnings.catch_warnings():
        # torch announces the move of eager-mode quantisation to torchao; the API works.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        return torch.ao.quantization.quantize_dynamic(
            model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )
