import { describe, expect, it } from "vitest";
import { commandsToLoad } from "../../src/cli.js";
import { COMMANDS } from "../../src/commands/index.js";

const VALUE_FLAGS = new Set(["--network", "--data-dir", "--netuid", "--wallet.name"]);

describe("commandsToLoad: which command modules an invocation needs", () => {
  it.each([
    ["--version", ["--version"], []],
    ["the root help", ["--help"], []],
    ["no arguments", [], []],
    ["a command", ["weights", "--snapshot", "x.json"], ["weights"]],
    [
      "after global options with values",
      ["--network", "local", "--netuid", "12", "metagraph"],
      ["metagraph"],
    ],
    ["a global value that is a command's name", ["--data-dir", "score", "status"], ["status"]],
    ["--flag=value is one token", ["--network=local", "commitments"], ["commitments"]],
    ["a command's --help", ["score", "--help"], ["score"]],
    ["help TOPIC", ["help", "validate"], ["validate"]],
    ["help", ["help"], []],
    ["an unknown command", ["nope"], []],
    ["after --", ["--", "weights"], []],
  ])("%s", (_name, argv, expected) => {
    expect(commandsToLoad(argv, VALUE_FLAGS).map((c) => c.name)).toEqual(expected);
  });

  it("help environment loads every command (it lists their variables)", () => {
    expect(commandsToLoad(["help", "environment"], VALUE_FLAGS)).toHaveLength(COMMANDS.length);
    expect(commandsToLoad(["help", "env"], VALUE_FLAGS)).toHaveLength(COMMANDS.length);
  });

  it("every registry entry loads the command it names", async () => {
    for (const entry of COMMANDS) expect((await entry.load()).name).toBe(entry.name);
  });
});
