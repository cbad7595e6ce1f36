#!/usr/bin/env bash
# The GPU smoke tests on a machine with an NVIDIA GPU and vLLM: a real `vllm serve` under `sn11 score`,
# and the embedded engine on llama.cpp's CUDA build. Run from a checkout with ../shared beside it:
#
#   bash test/gpu/run.sh            # uses SN11_GPU_TEST_MODEL, or fetches Qwen2.5-0.5B-Instruct (~1 GB)
#
# It fails (rather than skips) when a prerequisite is missing, and stops after 8 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "test/gpu/run.sh: $1 is not on PATH ($2)" >&2; exit 1; }; }
need nvidia-smi "an NVIDIA driver"
need vllm "pip install vllm"
need node "Node 20 or later"
nvidia-smi --query-gpu=index,name,memory.free --format=csv,noheader
echo "vllm $(vllm --version 2>/dev/null | tail -n 1)"
[ -e ../shared/engines/llama-server ] || { echo "test/gpu/run.sh: ../shared is missing (the local judge runs on its llama-server)" >&2; exit 1; }

if [ -z "${SN11_GPU_TEST_MODEL:-}" ]; then
  SN11_GPU_TEST_MODEL="${XDG_CACHE_HOME:-$HOME/.cache}/sn11-gpu-test/Qwen2.5-0.5B-Instruct"
  if [ ! -f "$SN11_GPU_TEST_MODEL/config.json" ]; then
    if command -v hf >/dev/null 2>&1; then fetch=(hf download)
    elif command -v huggingface-cli >/dev/null 2>&1; then fetch=(huggingface-cli download)
    else echo "test/gpu/run.sh: set SN11_GPU_TEST_MODEL to a small safetensors chat model directory (or install huggingface_hub)" >&2; exit 1
    fi
    "${fetch[@]}" Qwen/Qwen2.5-0.5B-Instruct --local-dir "$SN11_GPU_TEST_MODEL"
  fi
fi
export SN11_GPU_TEST_MODEL

[ -d node_modules ] || npm ci
timeout 480 npx vitest run test/gpu --testTimeout 420000
