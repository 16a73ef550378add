// Runs npm's @ethereumjs/client (its own command line, arguments unchanged) with two fixes
// without which a Clique (proof-of-authority) chain of @ethereumjs/client 0.10.5 executes no
// contract call at all. Used by node/chain/ethereumjs.py; nothing else differs.
//
// 1. The EVM needs a `cliqueSigner` function on Clique (for COINBASE), and the client gives
//    none to the EVMs it creates (block execution, eth_call, eth_estimateGas): "Must include
//    cliqueSigner function if clique/poa is being used for consensus type". Every EVM created
//    here gets @ethereumjs/block's `cliqueSigner` unless it was given one.
// 2. The sealer assembles a block from a header without extraData, so running a transaction in
//    it (which recovers the block's signer to pay the fees) fails with "extraData must be 97
//    bytes on non-epoch transition blocks" and the sealer skips every transaction. The header
//    being built gets the 32-byte vanity and an empty 65-byte seal, which the sealing replaces
//    with the signature (as geth's Clique does).
import { cliqueSigner } from "@ethereumjs/block";
import { EVM } from "@ethereumjs/evm";
import { BlockBuilder } from "@ethereumjs/vm";

const addTransaction = BlockBuilder.prototype.addTransaction;
BlockBuilder.prototype.addTransaction = function (...args) {
  const header = this.headerData;
  if (this.vm.common.consensusType() === "poa" && !(header.extraData?.length >= 97)) {
    header.extraData = new Uint8Array(97);
  }
  return addTransaction.apply(this, args);
};

Object.defineProperty(EVM.prototype, "_optsCached", {
  configurable: true,
  set(opts) {
    const value = opts && opts.cliqueSigner === undefined ? { ...opts, cliqueSigner } : opts;
    Object.defineProperty(this, "_optsCached", {
      value,
      writable: true,
      configurable: true,
      enumerable: true,
    });
  },
});

await import(new URL("../node_modules/@ethereumjs/client/dist/esm/bin/cli.js", import.meta.url));
