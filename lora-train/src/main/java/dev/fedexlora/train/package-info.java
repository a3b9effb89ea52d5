/**
 * Local LoRA fine-tuning with DJL (PyTorch engine): a BERT-family encoder with LoRA on named linear
 * layers and a classification head, checkpoint import, datasets, partitioners and the training loop.
 */
package dev.fedexlora.train;
