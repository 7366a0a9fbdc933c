// The Kiro models in the editor's own chat model picker: vscode.lm sees them while the proxy
// serves, and a request streams an answer through the proxy (mock upstream).
const assert = require('node:assert/strict');
const { vscode, extensionApi, freePort, waitFor, setSetting } = require('./helpers.cjs');

describe('Kiro language model provider', function () {
  before(async function () {
    await extensionApi();
    await setSetting('port', await freePort());
    await vscode.commands.executeCommand('kiroProxy.start');
  });

  after(async function () {
    await vscode.commands.executeCommand('kiroProxy.stop');
  });

  it('lists the proxy models under the "kiro" vendor and streams a reply', async function () {
    const models = await waitFor(async () => {
      const m = await vscode.lm.selectChatModels({ vendor: 'kiro' });
      return m.length > 0 && m;
    }, 'Kiro models in vscode.lm');
    const model = models.find((m) => /claude/.test(m.id)) ?? models[0];
    const cts = new vscode.CancellationTokenSource();
    const res = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello')], {}, cts.token);
    let text = '';
    for await (const chunk of res.text) text += chunk;
    assert.ok(text.length > 0, 'some text came back');
    cts.dispose();
  });
});
