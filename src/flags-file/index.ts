/** Flags as code: the flag set as a YAML or JSON file, validated with file positions. */
export {
  toFlagsFile,
  flagsFileVersion,
  type FlagsFile,
  type FlagEntry,
  type SegmentEntry,
  type EnvironmentEntry,
  type ExportOptions,
} from './document.js';
export { parseFlagsFile, formatIssue, type FlagsFileIssue, type ParsedFlagsFile } from './parse.js';
export { serializeFlagsFile, type FlagsFileFormat } from './serialize.js';
