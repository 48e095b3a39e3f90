/** The words of the key hints, the unanswered-alert banner and the after-help screen (remote-words.ts), per language. */
export interface RemoteWords {
  /** The OK key's and the blue key's names (key-hint bar, banner). */
  keyOk: string;
  keyBlue: string;
  /** Key hints: move the focus, open the focused item, open the alert. */
  hintMove: string;
  hintOpen: string;
  hintAlert: string;
  /** The banner of an alert left with Back before it was answered; {key}: OK on Home, blue elsewhere. */
  banner: string;
  /** After 「助けが必要です」: the city has been told; stay safe; how to call ({city}: helpCity when the TV has the city's number). */
  helpTold: string;
  helpStay: string;
  helpCall: string;
  helpCity: string;
}
