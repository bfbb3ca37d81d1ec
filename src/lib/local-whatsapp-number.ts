/**
 * The number of the local WhatsApp stand-in (npm start, the playground, tests), as Meta would
 * display it: what the stand-in's look-up answers and what local mode's stappenplan names.
 */
export const LOCAL_DISPLAY_NUMBER = '+31 85 486 9699';
