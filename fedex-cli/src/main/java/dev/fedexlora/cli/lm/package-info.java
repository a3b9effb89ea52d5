/**
 * {@code ./fedex lm …}: decoder LLMs (Llama, Mistral, Qwen2) from Hugging Face checkpoints: logits for parity
 * checks, greedy generation, local LoRA training to a PEFT adapter, random checkpoints in the Hugging Face layout,
 * and {@code ./fedex bench lm}.
 */
package dev.fedexlora.cli.lm;
