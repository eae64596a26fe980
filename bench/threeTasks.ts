/** The benchmarks' model: start → three sequential user tasks → end. */
export const threeTasks = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench" targetNamespace="bench">
  <bpmn:process id="three-tasks" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1"/>
    <bpmn:userTask id="t1" name="Eins"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="t2"/>
    <bpmn:userTask id="t2" name="Zwei"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="t2" targetRef="t3"/>
    <bpmn:userTask id="t3" name="Drei"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="t3" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`;
