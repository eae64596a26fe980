import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'intermediateThrowEvent.bpmn');

describe('intermediateThrowEvent', () => {
  scenario('a link throw event continues at the link catch event of the same name', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('link-flow');
    const [before] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(before?.elementId).to.equal('before');
    await h.reload();
    await h.engine.completeUserTask(before!.id);
    const jumped = await h.engine.getInstance(instance.id);
    expect(jumped.activeElementIds).to.deep.equal(['after']);
    const history = await h.engine.history(instance.id);
    expect(history.find((event) => event.elementId === 'jump' && event.type === 'completed')).to.include({ elementType: 'intermediateThrowEvent' });
    expect(history.find((event) => event.elementId === 'land' && event.type === 'completed')).to.include({ elementType: 'intermediateCatchEvent' });
    expect(history.some((event) => event.elementId === 'otherLand' || event.elementId === 'wrong')).to.equal(false);
    const [after] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.engine.completeUserTask(after!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
  });
});
