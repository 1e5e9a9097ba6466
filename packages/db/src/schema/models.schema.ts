/** Tables of the models migration (see migrations/). */
export {};
