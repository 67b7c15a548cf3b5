"""The LLM writer's real loading and generation code, on a tiny random Llama the test builds.

The checkpoint goes through the same ``from_pretrained`` calls a GPTQ checkpoint does; it has no
quantization config, so it loads on CPU. On a lent GPU machine, WAGGLEBOT_GPTQ_MODEL points the
same tests (and one more that expects a usable script) at a real GPTQ checkpoint.
"""

from __future__ import annotations

import importlib.util
import os
import socket

import pytest

from generation import gpu, llm
from generation.compilation_script import item_write, syllables
from generation.script import ScriptError, write_script
from tests.conftest import require
from tests.generation.conftest import FIXTURE_POSTS

pytestmark = pytest.mark.gpu
GPTQ_MODEL = os.environ.get("WAGGLEBOT_GPTQ_MODEL", "")
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}</s>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
CORPUS = [
    "결혼 3주 전인데 시어머니가 예식장을 바꾸자고 하세요",
    "너는 한국 커뮤니티 인기글을 유튜브 쇼츠 내레이션으로 바꾸는 작가다",
    '{"hook": "훅", "body": ["문장"], "closer": "여러분 생각은 어떠세요?", "title": "제목", "tags": ["태그"]}',
    "계약금 300만원 이미 넣었고 결론: 예식장 안 바꿉니다!",
]


def build_tiny_llama(folder) -> str:
    """A 2-layer Llama with random weights and a byte-level BPE tokenizer trained on a few lines."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    special = ["<unk>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>"]
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(CORPUS, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="</s>",
        chat_template=CHAT_TEMPLATE,
    )
    config = LlamaConfig(
        vocab_size=bpe.get_vocab_size(), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8192,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
    )
    import torch

    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    require(importlib.util.find_spec("torch") is not None, "torch (requirements/llm-test.txt)")
    require(importlib.util.find_spec("transformers") is not None, "transformers (requirements/llm-test.txt)")
    yield GPTQ_MODEL or build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))
    gpu.unload_all()


@pytest.fixture
def llm_settings(settings, model_path):
    settings.SCRIPT_WRITER = "llm"
    settings.SCRIPT_LLM_MODEL = model_path
    settings.SCRIPT_LLM_MAX_NEW_TOKENS = 512 if GPTQ_MODEL else 12
    return settings


def test_model_loads_through_from_pretrained_once_and_generates(model_path):
    chat = [{"role": "system", "content": "JSON으로 답하라."}, {"role": "user", "content": "제목: 결혼 3주 전"}]
    first = llm.complete(chat, model=model_path, max_new_tokens=8)
    assert isinstance(first, str) and first
    loaded = llm.load(model_path)
    assert llm.load(model_path) is loaded, "the model stays loaded between posts"
    assert llm.complete(chat, model=model_path, max_new_tokens=8) == first, "greedy decoding is repeatable"
    model, tokenizer = loaded
    assert type(model).__name__.endswith("ForCausalLM")
    assert tokenizer.chat_template, "the prompt is built with the checkpoint's own chat template"


def test_unload_all_releases_the_loaded_model(model_path):
    llm.load(model_path)
    assert model_path in llm.loaded_models()
    gpu.unload_all()
    assert model_path not in llm.loaded_models()


@pytest.mark.skipif(bool(GPTQ_MODEL), reason="a real checkpoint writes usable JSON; see the next test")
def test_random_model_output_fails_the_script_after_the_stricter_retry(llm_settings, fixture_post):
    with pytest.raises(ScriptError) as error:
        write_script(fixture_post(FIXTURE_POSTS[3]))
    assert "unusable LLM output after 2 attempts" in error.value.message


@pytest.mark.skipif(not GPTQ_MODEL, reason="needs WAGGLEBOT_GPTQ_MODEL on a CUDA machine")
def test_gptq_checkpoint_writes_a_usable_script(llm_settings, fixture_post):
    script = write_script(fixture_post(FIXTURE_POSTS[3]))
    assert script.source == "llm"
    assert 0 < script.spoken_chars() <= 200


def test_hf_hub_offline_reads_only_local_files_and_falls_back(model_path, settings, monkeypatch, fixture_post):
    connections = []

    def no_network(self, address, *args):
        connections.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings.SCRIPT_WRITER = "auto"
    settings.SCRIPT_LLM_MODEL = "wagglebot-test/not-in-the-cache"
    script = write_script(fixture_post(FIXTURE_POSTS[3]))
    assert script.source == "extractive"
    assert "LLM unavailable" in script.meta["reason"] and "cached files" in script.meta["reason"]
    assert connections == [], "offline mode never opens a connection"


@pytest.mark.parametrize("mode", ["auto", "llm"])
def test_cuda_out_of_memory_while_generating_falls_back_or_fails_the_script(
    mode, llm_settings, model_path, fixture_post, monkeypatch
):
    import torch

    model, _ = llm.load(model_path)

    def out_of_memory(*args, **kwargs):  # the torch seam: a GPU shared with the renderer is full
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(model, "generate", out_of_memory)
    llm_settings.SCRIPT_WRITER = mode
    if mode == "llm":
        with pytest.raises(ScriptError) as error:
            write_script(fixture_post(FIXTURE_POSTS[3]))
        assert "out of memory" in error.value.message
        assert not error.value.permanent
    else:
        script = write_script(fixture_post(FIXTURE_POSTS[3]))
        assert script.source == "extractive" and "out of memory" in script.meta["reason"]


@pytest.mark.skipif(bool(GPTQ_MODEL), reason="a real checkpoint writes usable JSON; see the next test")
def test_random_model_output_fails_a_compilation_rank_after_the_stricter_retry(llm_settings, fixture_post):
    with pytest.raises(ScriptError) as error:
        item_write(fixture_post(FIXTURE_POSTS[3]), rank=1, count=3, budget=60)
    assert "unusable LLM output for rank 1 after 2 attempts" in error.value.message


@pytest.mark.skipif(not GPTQ_MODEL, reason="needs WAGGLEBOT_GPTQ_MODEL on a CUDA machine")
def test_gptq_checkpoint_condenses_a_compilation_rank_within_its_budget(llm_settings, fixture_post):
    lines, writer = item_write(fixture_post(FIXTURE_POSTS[3]), rank=1, count=3, budget=60)
    assert writer == "llm" and lines
    assert sum(syllables(line) for line in lines) <= 60
