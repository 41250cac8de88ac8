# Sourced by ./mlm4j and scripts/bench-train: the heap ceiling (-Xmx) of a `train` run, from the model's weights and the
# micro-batch. Without one the JVM may grow its heap toward a quarter of the machine's memory, and it does: bert-base
# fine-tuning at 8 × 128 reached 5.2 GB of RSS under -Xmx6g, G1 committing the whole heap, for what is now a live set of
# about 2.3 GB (docs/BENCHMARKS.md §8).
#
# Training's live set, for W bytes of fp32 weights (the checkpoint's weight files), is about
#   4 W                  the weights (one fp32 copy: linear layers pack theirs per use), their gradients, AdamW's two moments
#   + W / 700 per token  the activations the backward reads, for the largest micro-batch (bert-base: 611 MB at 1,024
#                        tokens, W = 438 MB); a sequence longer than --batch-tokens is a batch of its own, so at least 512
# (bert-base at 8 × 128: 2,282 MiB by this rule, 2,310 MiB left after ParallelGC's full collections). The heap is that
# plus a tenth, plus a young generation of a sixth of it (-Xmn: ParallelGC would otherwise give a third of the heap to
# the young generation and leave the old one smaller than the live set), and at least 512 MiB (small models: the JVM's
# and the tokenizer's own objects dominate). The rule assumes fp32 weight files (an fp16 file holds half the bytes of
# the weights it trains); MLM4J_JAVA_OPTS with -Xmx overrides it (docs/TRAINING.md).

# mlm4j_weights_bytes DIR: the bytes of the weight files in DIR (one format: safetensors, else PyTorch, ONNX, TensorFlow),
# or in DIR/checkpoint (a training output); 0 when there are none.
mlm4j_weights_bytes() {
  local dir=$1 pattern bytes
  [ -d "$dir" ] || { echo 0; return; }
  for pattern in '*.safetensors' 'pytorch_model*.bin' '*.onnx' 'variables.data-*' '*.ckpt*.data-*' 'tf_model.h5'; do
    bytes=$(find "$dir" -maxdepth 2 -type f -name "$pattern" ! -name 'optimizer*' ! -path '*/checkpoint/*' -printf '%s\n' 2>/dev/null \
      | awk '{ s += $1 } END { print s + 0 }')
    [ "$bytes" -gt 0 ] && { echo "$bytes"; return; }
  done
  if [ -d "$dir/checkpoint" ]; then mlm4j_weights_bytes "$dir/checkpoint"; else echo 0; fi
}

# mlm4j_config_int DIR KEY: an integer field of DIR's config.json (or DIR/checkpoint's), 0 when absent.
mlm4j_config_int() {
  local c
  for c in "$1/config.json" "$1/checkpoint/config.json"; do
    [ -f "$c" ] && { sed -n "s/.*\"$2\" *: *\([0-9][0-9]*\).*/\1/p" "$c" | head -n1 | grep . || echo 0; return; }
  done
  echo 0
}
# mlm4j_train_heap_flags DIR TOKENS [TASK [DATA]]: prints "-Xmx<MiB>m -Xmn<MiB>m" for training the model in DIR on
# micro-batches of TOKENS tokens, or nothing when DIR holds no weight files (the JVM's defaults then). Beyond the rule
# above, a language-model task holds its vocabulary logits and their gradient for the rows it scores (mlm: the masked
# 15 %, taken as 20 % for the binomial's spread; clm: every token) and the decoder packed once (vocab × hidden), and the
# activations are at least 16 floats per hidden unit per layer per token (what bert-base measured), for models whose
# word table is a large share of W (all-MiniLM-L6-v2: W / 700 alone ran out of heap for MLM at 32 × 128). 128 MiB more
# covers the JVM's and the tokenizer's own objects, and DATA (the bytes of the --train and --eval files) × 100 the
# tokenized data (each sequence's ids, offsets and labels; bert-base MLM on Brown's 4.4 MB training split ran out of
# heap without it). A folder without config.json (ONNX, TensorFlow) is taken
# to have bert-base-uncased's vocabulary and width, and a quarter more activations than W / 700.
# The ceiling never exceeds 80 % of the machine's memory.
mlm4j_train_heap_flags() {
  local w vocab hidden layers
  w=$(mlm4j_weights_bytes "$1")
  [ "$w" -gt 0 ] || return 0
  vocab=$(mlm4j_config_int "$1" vocab_size) hidden=$(mlm4j_config_int "$1" hidden_size) layers=$(mlm4j_config_int "$1" num_hidden_layers)
  local mem
  mem=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo 2>/dev/null)
  awk -v w="$w" -v t="$2" -v task="${3:-}" -v data="${4:-0}" -v mem="${mem:-0}" -v vocab="$vocab" -v hidden="$hidden" -v layers="$layers" 'BEGIN {
    mib = 1024 * 1024; if (t < 512) t = 512
    # no config.json (an ONNX or TensorFlow folder): the vocabulary and width of bert-base-uncased, a quarter more activations
    if (vocab == 0) vocab = 30522; if (hidden == 0) hidden = 768
    per = layers > 0 ? w / 700 : w / 700 * 1.25; if (64 * hidden * layers > per) per = 64 * hidden * layers
    rows = task == "mlm" ? t / 5 : task == "clm" ? t : 0
    lm = rows > 0 ? rows * vocab * 12 + vocab * hidden * 4 : 0
    live = (4 * w + t * per + lm + 100 * data) / mib + 128; young = live / 6; if (young < 64) young = 64
    heap = live * 1.1 + young; if (heap < 512) heap = 512
    # never more than 80 % of the machine: a larger ceiling would only move the failure from the JVM to the kernel
    cap = mem * 0.8 / 1024; if (cap > 512 && heap > cap) { heap = cap; if (young > heap / 4) young = heap / 4 }
    printf "-Xmx%dm -Xmn%dm\n", heap + 0.5, young + 0.5 }'
}
# mlm4j_train_heap ARGS…: the heap flags for `./mlm4j train ARGS…` (nothing when the user set one in MLM4J_JAVA_OPTS or
# JAVA_TOOL_OPTIONS, or when the model's weights are not on this machine yet: --from-scratch, a catalogue name not yet
# downloaded). The model is --resume DIR, else --model DIR, else the catalogue's cached copy of --model NAME.
mlm4j_train_heap() {
  local model='' resume='' tokens=4096 dir='' cache task='' data=0 f
  [ "${1:-}" = train ] && shift
  case "${1:-}" in mlm | clm | classify | tag | pairs) task=$1 ;; esac
  case " ${MLM4J_JAVA_OPTS:-} ${JAVA_TOOL_OPTIONS:-} " in *" -Xmx"*) return 0 ;; esac
  while [ $# -gt 0 ]; do
    case "$1" in
      -m | --model) model=${2:-}; shift ;;
      --model=* | -m=*) model=${1#*=} ;;
      --resume) resume=${2:-}; shift ;;
      --resume=*) resume=${1#*=} ;;
      --batch-tokens) tokens=${2:-}; shift ;;
      --train | --eval) f=${2:-}; [ -f "$f" ] && data=$(( data + $(stat -c %s "$f") )); shift ;;
      --train=* | --eval=*) f=${1#*=}; [ -f "$f" ] && data=$(( data + $(stat -c %s "$f") )) ;;
      --batch-tokens=*) tokens=${1#*=} ;;
    esac
    [ $# -gt 0 ] && shift
  done
  if [ -n "$resume" ]; then
    dir=$resume
    # a resumed run keeps the batch it was started with (checkpoint/trainer_state.json)
    local state
    for state in "$resume/trainer_state.json" "$resume/checkpoint/trainer_state.json"; do
      if [ -f "$state" ]; then tokens=$(sed -n 's/.*"batchTokens" *: *\([0-9]*\).*/\1/p' "$state" | head -n1); break; fi
    done
  elif [ -d "$model" ]; then
    dir=$model
  elif [ -n "$model" ]; then
    cache=${MLM4J_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlm4j/models}
    dir="$cache/$model"
  fi
  case "$tokens" in '' | *[!0-9]*) tokens=4096 ;; esac
  if [ -n "$dir" ]; then mlm4j_train_heap_flags "$dir" "$tokens" "$task" "$data"; fi
}
