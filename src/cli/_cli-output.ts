/** Where the command line writes. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}
