// Public exports of `stytch-b2b-express/emulator`.
export { startEmulator } from './emulator.js';
export { totp } from './totp.js';
export type {
  Emulator, EmulatorOptions, EmulatorFault, PendingFault, EmulatorCall, EmulatorAdmin, AdminMemberInput, AdminSession, OutboxMessage, OutboxKind,
} from './types.js';
