/** The remote's key hints, the unanswered-alert banner and the after-help words: one language, loaded on demand (remote-words.ts). */
import type { RemoteWords } from './remote-type.ts';

const words: RemoteWords = {
  keyOk: 'OK',
  keyBlue: 'azul',
  hintMove: 'escolher',
  hintOpen: 'abrir',
  hintAlert: 'abrir o alerta',
  banner: '{alert} — ainda sem resposta. Aperte {key} para abrir',
  helpTold: 'A prefeitura foi avisada de quem precisa de ajuda: {names}.',
  helpStay: 'Espere num lugar seguro. Se o perigo chegar, suba a um andar mais alto.',
  helpCall: 'Se puder telefonar: {city}119.',
  helpCity: 'prefeitura {phone} ou ',
};

export default words;
