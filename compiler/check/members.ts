import type { Member, SourceFile } from "../ast/nodes.ts";

/** Every member of the file: those of its recipe and those at the top level. */
export function allMembers(file: SourceFile): Member[] {
  return file.items.flatMap((item): Member[] => {
    if (item.kind === "Import") return [];
    if (item.kind === "Recipe") return item.members;
    return [item];
  });
}
