/**
 * LoRA math and tensor files for the FedEx-LoRA platform: safetensors, PEFT adapters, and the exact
 * aggregation methods (FedEx-LoRA, FedIT, FFA). Plain Java, shared by every service; no Spring, no DJL.
 */
package dev.fedexlora.core;
