import { fileURLToPath } from "node:url";

/**
 * Built-in models that ship pretrained: checkpoints committed under models/, each the output of a
 * checked-in recipe that reproduces it (models/README.md). Unlike the presets they are not trained
 * from scratch, so a recipe can fine-tune one and see what agent tuning changes.
 */
export const PRETRAINED: Record<string, { dir: string; recipe: string; doc: string }> = {
  "tiny-chat": {
    dir: "models/tiny-chat",
    recipe: "recipes/pretrain-tiny-chat.atune",
    doc: "the tiny preset (0.76M parameters, 1,024-token context) pretrained on the built-in general set",
  },
};

export function isPretrained(name: string): boolean {
  return Object.hasOwn(PRETRAINED, name);
}

/** The absolute directory of a pretrained built-in model, inside the atune package. */
export function pretrainedModelDir(name: string): string {
  const entry = PRETRAINED[name];
  if (!entry) throw new Error(`'${name}' is not a pretrained built-in model`);
  return fileURLToPath(new URL(`../../../${entry.dir}`, import.meta.url));
}
